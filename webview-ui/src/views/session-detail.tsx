import { useMemo } from "preact/hooks";
import type { BridgeClient } from "../bridge/client.ts";
import type { DetailModel, DetailTab, Loaded } from "../models/detail-model.ts";
import { createTimelineModel } from "../models/timeline-model.ts";
import { DetailHeader } from "./detail-header.tsx";
import { formatCount } from "./format.ts";
import { Player } from "./player.tsx";
import { ErrorState, Loading } from "./states.tsx";
import { SummaryTab } from "./summary-tab.tsx";
import { Timeline, TimelineFilterBar } from "./timeline.tsx";

const TABS: readonly { readonly key: DetailTab; readonly label: string }[] = [
  { key: "summary", label: "Summary" },
  { key: "timeline", label: "Timeline" },
  { key: "transcript", label: "Transcript" },
];

function Tabs({ model }: { readonly model: DetailModel }) {
  const current = model.tab.value;
  // Arrow keys move between tabs (one tab stop), as a tab list does.
  const onKeyDown = (event: KeyboardEvent) => {
    const at = TABS.findIndex((t) => t.key === current);
    const next = event.key === "ArrowRight" ? (at + 1) % TABS.length : event.key === "ArrowLeft" ? (at + TABS.length - 1) % TABS.length : -1;
    if (next < 0) return;
    event.preventDefault();
    model.tab.value = TABS[next]!.key;
    requestAnimationFrame(() => document.getElementById(`tab-${TABS[next]!.key}`)?.focus());
  };
  return (
    <div class="tabs" role="tablist" aria-label="Session views" onKeyDown={onKeyDown}>
      {TABS.map(({ key, label }) => (
        <button key={key} id={`tab-${key}`} type="button" role="tab" class="tab" aria-selected={current === key} aria-controls={`panel-${key}`} tabIndex={current === key ? 0 : -1} onClick={() => (model.tab.value = key)} data-testid={`tab-${key}`}>
          {label}
        </button>
      ))}
    </div>
  );
}

function TranscriptTab({ loaded, client }: { readonly loaded: Loaded; readonly client: BridgeClient }) {
  const version = loaded.timeline.version.value;
  // Rebuilt as later timeline pages arrive; speech only, seeking the player on Enter.
  const transcript = useMemo(() => createTimelineModel(loaded.timeline.all().filter((item) => item.kind === "transcript"), { fold: false }), [loaded.timeline, version]);
  return <Timeline model={transcript} client={client} label="Transcript" onSeek={(index) => {
      const row = transcript.rowAt(index);
      if (row?.kind === "item") loaded.player.seek(row.item.t);
      transcript.activeIndex.value = index;
    }} />;
}

function Body({ loaded, model, client }: { readonly loaded: Loaded; readonly model: DetailModel; readonly client: BridgeClient }) {
  const detail = loaded.detail.value;
  const tab = model.tab.value;
  const { timeline } = loaded;
  return (
    <div class="detail-body">
      <div class="detail-player">
        <Player model={loaded.player} client={client} chapters={detail.chapters ?? []} onScrub={() => model.noteScrub()} />
      </div>
      <div class="detail-tabs">
        <Tabs model={model} />
        <div class={`tab-panel tab-panel-${tab}`} id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`}>
          {tab === "summary" && <SummaryTab detail={detail} model={model} />}
          {tab === "timeline" && (
            <>
              <div class="timeline-head">
                <TimelineFilterBar model={timeline} />
                <span class="muted timeline-count">{formatCount(timeline.total)} items</span>
              </div>
              {model.timelineError.value !== undefined && <ErrorState error={model.timelineError.value} onRetry={() => model.retryTimeline()} />}
              <Timeline model={timeline} client={client} onSeek={(index) => model.seekToIndex(index)} label="Session timeline" onUserScroll={() => model.noteUserScroll()} />
            </>
          )}
          {tab === "transcript" && <TranscriptTab loaded={loaded} client={client} />}
        </div>
      </div>
    </div>
  );
}

export function SessionDetailView({ model, client, onBack, onProgress, onDelete, liveElapsed }: { readonly model: DetailModel; readonly client: BridgeClient; readonly onBack: () => void; readonly onProgress?: () => void; readonly onDelete?: (id: string, name: string) => Promise<boolean>; readonly liveElapsed?: (id: string) => number | undefined }) {
  const state = model.state.value;
  return (
    <section class="screen screen-detail" aria-labelledby="detail-title" data-testid="detail">
      <DetailHeader model={model} onBack={onBack} {...(liveElapsed === undefined ? {} : { liveElapsed })} {...(onProgress === undefined ? {} : { onProgress })} {...(onDelete === undefined ? {} : { onDelete })} />
      {model.deleted.value && (
        <p class="notice" role="status" data-testid="deleted-notice">
          This session was deleted.{" "}
          <button type="button" class="link" onClick={onBack}>
            Back to all sessions
          </button>
        </p>
      )}
      {state.kind === "loading" && <Loading label="Opening the session" since={state.since} />}
      {state.kind === "error" && <ErrorState error={state.error} onRetry={() => void model.reload()} />}
      {state.kind === "ready" && <Body loaded={state.value} model={model} client={client} />}
    </section>
  );
}
