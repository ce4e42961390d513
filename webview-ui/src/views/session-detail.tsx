import type { EvidenceItem } from "../../../engine/src/review/models.ts";
import type { BridgeClient } from "../bridge/client.ts";
import type { DetailModel, Loaded } from "../models/detail-model.ts";
import { ErrorState, Loading } from "./states.tsx";
import { formatBytes, formatCount, formatDate, formatDuration, formatOffset, formatUsd } from "./format.ts";
import { Player } from "./player.tsx";
import { Timeline } from "./timeline.tsx";

function EvidenceList({ title, items, model, testId }: { readonly title: string; readonly items: readonly EvidenceItem[]; readonly model: DetailModel; readonly testId: string }) {
  return (
    <section class="card" aria-label={title} data-testid={testId}>
      <h2>{title}</h2>
      {items.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <ul class="evidence-list">
          {items.map((item) => (
            <li key={item.id} class={item.done === true ? "done" : undefined}>
              <span>{item.text}</span>
              {item.unresolved === true && <span class="badge badge-failed" title="The moment this came from could not be found in the timeline">unverified</span>}
              {item.evidence.map((evidence, i) => (
                <button key={i} type="button" class="chip" onClick={() => model.followEvidence(evidence)} aria-label={`Go to ${formatOffset(evidence.tStart)}: ${item.text}`} data-testid="evidence-chip" data-t={evidence.tStart}>
                  ▶ {formatOffset(evidence.tStart)}
                </button>
              ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Chapters({ loaded, model }: { readonly loaded: Loaded; readonly model: DetailModel }) {
  void loaded.timeline.version.value;
  const chapters = loaded.timeline.all().filter((item) => item.kind === "chapter");
  if (chapters.length === 0) return null;
  return (
    <section class="card" aria-label="Chapters" data-testid="chapters">
      <h2>Chapters</h2>
      <ol class="evidence-list">
        {chapters.map((chapter) => (
          <li key={chapter.id}>
            <span>{chapter.title.trim() === "" ? "Untitled chapter" : chapter.title}</span>
            <button type="button" class="chip" onClick={() => model.followEvidence({ tStart: chapter.t, tEnd: chapter.tEnd, kind: "marker", ref: chapter.id })} aria-label={`Go to chapter ${chapter.title} at ${formatOffset(chapter.t)}`}>
              ▶ {formatOffset(chapter.t)}
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}

function Body({ loaded, model, client }: { readonly loaded: Loaded; readonly model: DetailModel; readonly client: BridgeClient }) {
  const { detail, player, timeline } = loaded;
  const s = detail.session;
  return (
    <div class="detail">
      <div class="detail-main">
        <Player model={player} client={client} />
        <section class="card" aria-label="Summary" data-testid="summary">
          <h2>Summary</h2>
          {detail.summary === undefined ? (
            <p class="muted">{s.enrichment.state === "running" || s.enrichment.state === "queued" ? "Enrichment is still running; the summary appears when it finishes." : s.enrichment.state === "failed" ? `Enrichment failed: ${s.enrichment.error ?? "no reason given"}.` : "This session has not been enriched."}</p>
          ) : (
            <>
              <p>{detail.summary.text}</p>
              {detail.summary.local === true && <p class="muted">Made on this machine by the local provider.</p>}
            </>
          )}
        </section>
        <Chapters loaded={loaded} model={model} />
        {detail.summary !== undefined && detail.summary.points.length > 0 && <EvidenceList title="Highlights" items={detail.summary.points} model={model} testId="highlights" />}
        <EvidenceList title="Tasks" items={detail.tasks} model={model} testId="tasks" />
        <EvidenceList title="Notes" items={detail.notes} model={model} testId="notes" />
        <section class="card" aria-label="Cost" data-testid="cost">
          <h2>Cost {formatUsd(detail.cost.totalUsd)}</h2>
          {detail.cost.lines.length === 0 ? (
            <p class="muted">Nothing spent.</p>
          ) : (
            <table class="cost">
              <thead>
                <tr>
                  <th scope="col">Stage</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Calls</th>
                  <th scope="col">Cost</th>
                </tr>
              </thead>
              <tbody>
                {detail.cost.lines.map((line) => (
                  <tr key={`${line.stage}-${line.provider}-${line.model ?? ""}`}>
                    <td>{line.stage}</td>
                    <td>
                      {line.provider}
                      {line.model !== undefined && line.model !== line.provider ? ` (${line.model})` : ""}
                    </td>
                    <td>{line.calls}</td>
                    <td>{formatUsd(line.usd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section class="card" aria-label="Capture integrity" data-testid="integrity">
          <h2>Capture integrity</h2>
          {detail.integrity.ok && detail.integrity.problems.length === 0 ? (
            <p>No problems found.</p>
          ) : (
            <ul>
              {detail.integrity.problems.map((p, i) => (
                <li key={i}>
                  <strong>{p.kind}</strong>: {p.message}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <div class="detail-side">
        <h2 id="timeline-title">
          Timeline <span class="muted">({formatCount(timeline.count)} items)</span>
        </h2>
        {model.timelineError.value !== undefined && <ErrorState error={model.timelineError.value} onRetry={() => model.retryTimeline()} />}
        <Timeline model={timeline} client={client} onSeek={(index) => model.seekToIndex(index)} label="Session timeline" />
      </div>
    </div>
  );
}

export function SessionDetailView({ model, client, onBack, onProgress }: { readonly model: DetailModel; readonly client: BridgeClient; readonly onBack: () => void; readonly onProgress?: () => void }) {
  const state = model.state.value;
  const s = state.kind === "ready" ? state.value.detail.session : undefined;
  return (
    <section class="screen" aria-labelledby="detail-title" data-testid="detail">
      <div class="detail-header">
        <button type="button" class="link back" onClick={onBack}>
          ← All sessions
        </button>
        <h1 id="detail-title">{s?.name ?? "Session"}</h1>
        {s !== undefined && (
          <p class="session-meta">
            <span>{formatDate(s.startedAt)}</span>
            <span>{formatDuration(s.durationMs)}</span>
            <span>{formatBytes(s.sizeBytes)}</span>
            <span>
              {s.screenshotCount} screenshots, {s.audioSegmentCount} audio segments
            </span>
          </p>
        )}
        {s !== undefined && (
          <div class="actions" role="group" aria-label="Export">
            <button type="button" class="button" onClick={() => void model.export("md")} data-testid="export-md">
              Export Markdown
            </button>
            <button type="button" class="button" onClick={() => void model.export("json")} data-testid="export-json">
              Export JSON
            </button>
          </div>
        )}
        {model.exportError.value !== undefined && <ErrorState error={model.exportError.value} />}
      </div>
      {state.kind === "loading" && <Loading label="Opening the session" since={state.since} />}
      {state.kind === "error" && <ErrorState error={state.error} onRetry={() => void model.reload()} />}
      {s !== undefined && (s.enrichment.state === "running" || s.enrichment.state === "queued") && onProgress !== undefined && (
        <p class="notice">
          Enrichment is {s.enrichment.state === "queued" ? "queued" : `running${s.enrichment.stage === undefined ? "" : ` (${s.enrichment.stage})`}`}.{" "}
          <button type="button" class="link" onClick={onProgress}>
            See its progress
          </button>
        </p>
      )}
      {state.kind === "ready" && <Body loaded={state.value} model={model} client={client} />}
    </section>
  );
}
