import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { BridgeClient } from "../bridge/client.ts";
import type { TimelineModel } from "../models/timeline-model.ts";
import type { TimelineItem } from "../../../engine/src/review/models.ts";
import { formatOffset } from "./format.ts";
import { Thumb } from "./thumb.tsx";

function RowBody({ item, client, defer }: { readonly item: TimelineItem; readonly client: BridgeClient; readonly defer: boolean }) {
  switch (item.kind) {
    case "screenshot":
      return (
        <>
          <Thumb client={client} digest={item.blob} alt={`Screenshot at ${formatOffset(item.t)}`} width={96} height={60} defer={defer} />
          <span class="row-text">
            <span class="row-kind">{item.app ?? "Screenshot"}{item.isDuplicate === true ? " · unchanged" : ""}</span>
            <span class="row-line">{item.analysis === undefined ? "Not analysed yet" : item.analysis.trim() === "" ? "Nothing recognised on screen" : item.analysis}</span>
          </span>
        </>
      );
    case "transcript":
      return (
        <span class="row-text">
          <span class="row-kind">{item.speaker ?? "Transcript"}</span>
          <span class="row-line">{item.text}</span>
        </span>
      );
    case "marker":
      return (
        <span class="row-text">
          <span class="row-kind">Marker</span>
          <span class="row-line">{item.label}</span>
        </span>
      );
    case "chapter":
      return (
        <span class="row-text">
          <span class="row-kind">Chapter</span>
          <span class="row-line row-chapter">{item.title.trim() === "" ? "Untitled chapter" : item.title}</span>
        </span>
      );
  }
}

function lightText(item: TimelineItem): string {
  switch (item.kind) {
    case "screenshot":
      return item.analysis ?? item.app ?? "Screenshot";
    case "transcript":
      return item.text;
    case "marker":
      return item.label;
    case "chapter":
      return item.title;
  }
}

/** The virtualized timeline: only the window's rows exist in the DOM. */
export function Timeline({ model, client, onSeek, label }: { readonly model: TimelineModel; readonly client: BridgeClient; readonly onSeek: (index: number) => void; readonly label?: string }) {
  const scroller = useRef<HTMLDivElement>(null);
  // The row keyboard focus is on; it follows arrow keys even into rows not rendered yet.
  const [focusIndex, setFocusIndex] = useState<number | undefined>(undefined);
  // True while keyboard focus belongs in the timeline: rows are recycled (and lightened while
  // scrolling), so the focused row's button may be replaced; focus follows it to the new one.
  const keepFocus = useRef(false);
  useLayoutEffect(() => {
    if (!keepFocus.current || focusIndex === undefined) return;
    const button = scroller.current?.querySelector<HTMLButtonElement>(`.row[data-index="${focusIndex}"] button.row-button`);
    if (button && document.activeElement !== button) button.focus({ preventScroll: true });
  });
  useEffect(() => {
    // A click anywhere else hands focus back to the page.
    const onPointer = (event: PointerEvent) => {
      if (!scroller.current?.contains(event.target as Node)) keepFocus.current = false;
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, []);
  const onFocusOut = (event: FocusEvent) => {
    // A removed (recycled) row blurs with no related target; only a move elsewhere ends keyboard focus here.
    const next = event.relatedTarget as Node | null;
    if (next !== null && !scroller.current?.contains(next)) keepFocus.current = false;
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const from = focusIndex ?? Number((event.target as HTMLElement).closest(".row")?.getAttribute("data-index") ?? 0);
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? model.rowHeight) / model.rowHeight) - 1);
    const moves: Record<string, number> = { ArrowDown: from + 1, ArrowUp: from - 1, PageDown: from + page, PageUp: from - page, Home: 0, End: model.count - 1 };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const clamped = Math.min(model.count - 1, Math.max(0, next));
    keepFocus.current = true;
    setFocusIndex(clamped);
    model.reveal(clamped);
  };
  useEffect(() => {
    if (scroller.current === null) return;
    return model.attach(scroller.current);
  }, [model]);
  useLayoutEffect(() => {
    // Marks the first frame with rows, for the cold-open benchmark.
    if (model.count > 0) requestAnimationFrame(() => setTimeout(() => performance.mark("stint:timeline-painted"), 0));
  }, [model]);
  const range = model.range.value;
  const active = model.activeIndex.value;
  const scrolling = model.scrolling.value;
  void model.version.value;
  // Rows are keyed by slot, so a row scrolled out is reused for the row scrolled in.
  const pool = Math.max(1, range.end - range.start);
  const rows: preact.JSX.Element[] = [];
  for (let index = range.start; index < range.end; index++) {
    const item = model.itemAt(index);
    const current = index === active;
    rows.push(
      <li key={index % pool} class={`row row-${item?.kind ?? "pending"}`} style={{ height: `${model.rowHeight}px` }} aria-setsize={model.count} aria-posinset={index + 1} data-index={index} data-active={current ? "true" : undefined}>
        {item === undefined ? (
          <span class="row-button row-loading">Loading…</span>
        ) : scrolling ? (
          // While scrolling fast, a light row: the time and one line, so each frame lays out little text.
          <span class="row-button row-light">
            <span class="row-time">{formatOffset(item.t)}</span>
            <span class="row-line">{lightText(item)}</span>
          </span>
        ) : (
          <button type="button" class="row-button" onClick={() => onSeek(index)} onFocus={() => {
              keepFocus.current = true;
              if (focusIndex !== index) setFocusIndex(index);
            }} aria-current={current ? "true" : undefined} tabIndex={index === (focusIndex ?? range.visibleStart) ? 0 : -1}>
            <span class="row-time" {...(index === range.start ? { elementtiming: "timeline-row" } : {})}>
              {formatOffset(item.t)}
            </span>
            <RowBody item={item} client={client} defer={scrolling || index < range.visibleStart || index >= range.visibleEnd} />
          </button>
        )}
      </li>,
    );
  }
  if (model.count === 0) return <div class="timeline timeline-empty">Nothing was captured in this session.</div>;
  return (
    <div class="timeline" ref={scroller} tabIndex={-1} data-testid="timeline" aria-label={label ?? "Timeline"} role="region" onKeyDown={onKeyDown} onFocusOut={onFocusOut} aria-keyshortcuts="ArrowUp ArrowDown PageUp PageDown Home End">
      <div class="timeline-sizer" style={{ height: `${range.totalHeight}px` }}>
        <ol class="timeline-window" style={{ transform: `translateY(${range.offsetTop}px)` }} aria-label={`Timeline items ${range.start + 1}–${range.end} of ${model.count}`}>
          {rows}
        </ol>
      </div>
    </div>
  );
}
