import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { BridgeClient } from "../bridge/client.ts";
import type { RowContent, TimelineModel } from "../models/timeline-model.ts";
import type { TimelineFilter } from "../models/timeline-rows.ts";
import type { TimelineItem } from "../../../engine/src/review/models.ts";
import { formatOffset } from "./format.ts";
import { Thumb } from "./thumb.tsx";

function RowBody({ item, client, defer }: { readonly item: TimelineItem; readonly client: BridgeClient; readonly defer: boolean }) {
  switch (item.kind) {
    case "screenshot":
      return (
        <>
          <Thumb client={client} digest={item.blob} alt={`Screenshot at ${formatOffset(item.t)}`} width={80} height={50} defer={defer} />
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

function lightText(row: RowContent): string {
  if (row.kind === "run") return `${row.end - row.start} unchanged`;
  const item = row.item;
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
const FILTERS: readonly { readonly key: keyof TimelineFilter; readonly label: string }[] = [
  { key: "chapters", label: "Chapters" },
  { key: "markers", label: "Markers" },
  { key: "speech", label: "Speech" },
  { key: "screen", label: "Screen changes" },
];

/** Toggles for which rows the timeline shows; none pressed shows everything. */
export function TimelineFilterBar({ model }: { readonly model: TimelineModel }) {
  const filter = model.filter.value;
  return (
    <div class="filter-bar" role="group" aria-label="Show only" data-testid="timeline-filter">
      {FILTERS.map(({ key, label }) => (
        <button key={key} type="button" class="toggle" aria-pressed={filter[key]} onClick={() => model.setFilter({ ...filter, [key]: !filter[key] })} data-filter={key}>
          {label}
        </button>
      ))}
    </div>
  );
}

export function Timeline({ model, client, onSeek, label, onUserScroll }: { readonly model: TimelineModel; readonly client: BridgeClient; readonly onSeek: (index: number) => void; readonly label?: string; readonly onUserScroll?: () => void }) {
  const scroller = useRef<HTMLDivElement>(null);
  // The row keyboard focus is on; it follows arrow keys even into rows not rendered yet.
  const [focusIndex, setFocusState] = useState<number | undefined>(undefined);
  // Read synchronously by key handlers, so quick presses between renders each count.
  const focusRef = useRef<number | undefined>(undefined);
  const setFocusIndex = (index: number) => {
    focusRef.current = index;
    setFocusState(index);
  };
  // True while keyboard focus belongs in the timeline: rows are recycled (and lightened while
  // scrolling), so the focused row's button may be replaced; focus follows it to the new one.
  const keepFocus = useRef(false);
  useLayoutEffect(() => {
    if (!keepFocus.current || focusIndex === undefined) return;
    const button = scroller.current?.querySelector<HTMLButtonElement>(`.row[data-index="${focusIndex}"] button.row-button`);
    if (button && document.activeElement !== button) button.focus({ preventScroll: true });
  });
  // Read by the page-level key listener below, which outlives renders.
  const keyHandler = useRef<(event: KeyboardEvent) => void>(() => undefined);
  useEffect(() => {
    // A key pressed in the instant the focused row was recycled lands on the page body: it still counts here.
    const onPageKey = (event: KeyboardEvent) => {
      const active = document.activeElement;
      if (keepFocus.current && !event.defaultPrevented && (active === null || active === document.body)) keyHandler.current(event);
    };
    document.addEventListener("keydown", onPageKey);
    return () => document.removeEventListener("keydown", onPageKey);
  }, []);
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
    const from = focusRef.current ?? Number((event.target as HTMLElement).closest(".row")?.getAttribute("data-index") ?? 0);
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? model.rowHeight) / model.rowHeight) - 1);
    const moves: Record<string, number> = { ArrowDown: from + 1, ArrowUp: from - 1, PageDown: from + page, PageUp: from - page, Home: 0, End: model.count - 1 };
    const next = moves[event.key];
    if (next === undefined) {
      // Enter that reached the page because its row's button was being recycled: act as the button would have.
      const onButton = (event.target as HTMLElement | null)?.closest?.("button") != null;
      if (event.key === "Enter" && !onButton && focusRef.current !== undefined) {
        event.preventDefault();
        const index = focusRef.current;
        const row = model.rowAt(index);
        if (row === undefined) return;
        onSeek(index);
        if (row.kind === "run") model.expand(row.start);
      }
      return;
    }
    event.preventDefault();
    onUserScroll?.();
    const clamped = Math.min(model.count - 1, Math.max(0, next));
    keepFocus.current = true;
    setFocusIndex(clamped);
    model.reveal(clamped);
  };
  keyHandler.current = onKeyDown;
  // Attached before the first paint, so the first frame already has its rows (not an empty window).
  useLayoutEffect(() => {
    if (scroller.current === null) return;
    return model.attach(scroller.current);
  }, [model]);
  useEffect(() => {
    // A model replaced by a live refresh keeps the row keyboard focus was on (the layout effect above moves focus to
    // it once it is drawn); with focus elsewhere, the new model starts without a focused row.
    const kept = focusRef.current;
    if (keepFocus.current && kept !== undefined && model.count > 0) {
      const index = Math.min(model.count - 1, kept);
      setFocusIndex(index);
      model.reveal(index);
      return;
    }
    focusRef.current = undefined;
    setFocusState(undefined);
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
    const row = model.rowAt(index);
    const item = row?.kind === "item" ? row.item : undefined;
    const current = index === active;
    rows.push(
      <li key={index % pool} class={`row row-${row === undefined ? "pending" : row.kind === "run" ? "run" : row.item.kind}`} style={{ height: `${model.rowHeight}px` }} aria-setsize={model.count} aria-posinset={index + 1} data-index={index} data-active={current ? "true" : undefined}>
        {row === undefined ? (
          <span class="row-button row-loading">Loading…</span>
        ) : scrolling && !(keepFocus.current && index === focusIndex) ? (
          // While scrolling fast, a light row: the time and one line, so each frame lays out little text.
          // The row keyboard focus is on stays whole, so its button (and the focus) is never dropped.
          <span class="row-button row-light">
            <span class="row-time">{formatOffset(row.kind === "run" ? row.t : row.item.t)}</span>
            <span class="row-line">{lightText(row)}</span>
          </span>
        ) : row.kind === "run" ? (
          <button type="button" class="row-button row-run-button" onClick={() => { keepFocus.current = true; setFocusIndex(index); onSeek(index); model.expand(row.start); }} onFocus={() => {
              keepFocus.current = true;
              if (focusRef.current !== index) setFocusIndex(index);
            }} aria-expanded="false" tabIndex={index === (focusIndex ?? range.visibleStart) ? 0 : -1} data-testid="unchanged-run">
            <span class="row-time">{formatOffset(row.t)}</span>
            <span class="row-text">
              <span class="row-kind">Screen unchanged · show all</span>
              <span class="row-line">
                {row.end - row.start} unchanged, {formatOffset(row.t)}–{formatOffset(row.tEnd)}
              </span>
            </span>
          </button>
        ) : item === undefined ? null : (
          <button type="button" class="row-button" onClick={() => onSeek(index)} onFocus={() => {
              keepFocus.current = true;
              if (focusRef.current !== index) setFocusIndex(index);
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
    <div class="timeline" ref={scroller} tabIndex={-1} data-testid="timeline" aria-label={label ?? "Timeline"} role="region" onKeyDown={onKeyDown} onFocusOut={onFocusOut} onWheel={onUserScroll} onTouchMove={onUserScroll} onPointerDown={onUserScroll} aria-keyshortcuts="ArrowUp ArrowDown PageUp PageDown Home End">
      <div class="timeline-sizer" style={{ height: `${range.totalHeight}px` }}>
        <ol class="timeline-window" style={{ transform: `translateY(${range.offsetTop}px)` }} aria-label={`Timeline items ${range.start + 1}–${range.end} of ${model.count}`}>
          {rows}
        </ol>
      </div>
    </div>
  );
}
