import { signal } from "@preact/signals";
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from "@tanstack/virtual-core";
import { computeWindow, indexAtTime, scrollOffsetForIndex, windowIndexes, type TimelineItem, type WindowRange } from "../../../engine/src/review/models.ts";
import { buildRows, NO_FILTER, rowOfItem, type TimelineFilter, type ViewRow } from "./timeline-rows.ts";

export const ROW_HEIGHT = 64;
export const OVERSCAN = 5;

/** What a displayed row holds: an item, a folded run of unchanged screenshots, or nothing yet (a page still loading). */
export type RowContent = { readonly kind: "item"; readonly item: TimelineItem; readonly index: number } | { readonly kind: "run"; readonly start: number; readonly end: number; readonly t: number; readonly tEnd: number; readonly first: TimelineItem };

/**
 * The virtualized timeline: @tanstack/virtual-core observes the scroll
 * element; which rows exist is decided by the pure `computeWindow`. Rows are
 * a view over the items (filtered, runs of unchanged screenshots folded).
 */
export function createTimelineModel(initial: readonly TimelineItem[], options: { readonly rowHeight?: number; readonly overscan?: number; readonly virtualize?: boolean; readonly total?: number; readonly fold?: boolean } = {}) {
  const rowHeight = options.rowHeight ?? ROW_HEIGHT;
  /** Items loaded so far, in order; a long timeline arrives in pages after the first. */
  const items: TimelineItem[] = [...initial];
  const total = Math.max(options.total ?? items.length, items.length);
  const filter = signal<TimelineFilter>(NO_FILTER);
  const expanded = new Set<number>();
  let rows: ViewRow[] = [];
  /** Bumped when items arrive or the view changes, so rows re-render. */
  const version = signal(0);
  const fold = options.fold ?? options.virtualize !== false;
  const rowCount = (): number => rows.length + (total - items.length);
  // Without virtualization (the benchmark's peer) every row is rendered: an overscan as long as the list.
  const overscan = (): number => (options.virtualize === false ? rowCount() : (options.overscan ?? OVERSCAN));
  const range = signal<WindowRange>(computeWindow({ count: 0, rowHeight, scrollTop: 0, viewportHeight: 0, overscan: 0 }));
  const scrolling = signal(false);
  /** The row the play head is in, highlighted. */
  const activeIndex = signal(-1);
  let virtualizer: Virtualizer<HTMLElement, HTMLElement> | undefined;
  let element: HTMLElement | undefined;

  function rebuild(): void {
    rows = fold || filter.peek() !== NO_FILTER ? buildRows(items, filter.peek(), expanded) : items.map((_, index) => ({ kind: "item", index }) as const);
    if (virtualizer !== undefined) {
      virtualizer.setOptions({ ...virtualizer.options, count: rowCount(), overscan: overscan() });
      virtualizer._willUpdate();
    }
    updateRange();
    version.value++;
  }

  function windowNow(): WindowRange {
    return computeWindow({ count: rowCount(), rowHeight, scrollTop: virtualizer?.scrollOffset ?? element?.scrollTop ?? 0, viewportHeight: virtualizer?.scrollRect?.height ?? element?.clientHeight ?? 0, overscan: overscan() });
  }

  function updateRange(): void {
    const next = windowNow();
    const prev = range.peek();
    if (next.start !== prev.start || next.end !== prev.end || next.totalHeight !== prev.totalHeight || next.visibleStart !== prev.visibleStart) range.value = next;
  }

  function scrollTo(offset: number): void {
    if (element === undefined) return;
    if (virtualizer !== undefined) virtualizer.scrollToOffset(offset);
    else element.scrollTop = offset;
  }

  rebuild();

  return {
    /** Rows in the whole timeline as shown, loaded or not. */
    get count(): number {
      return rowCount();
    },
    /** Items in the whole timeline. */
    total,
    version,
    filter,
    /** The row at `index`, or undefined while its page is loading. */
    rowAt(index: number): RowContent | undefined {
      const row = rows[index];
      if (row === undefined) return undefined;
      if (row.kind === "item") return { kind: "item", item: items[row.index] as TimelineItem, index: row.index };
      return { ...row, first: items[row.start] as TimelineItem };
    },
    /** Every item loaded so far. */
    all: (): readonly TimelineItem[] => items,
    complete: (): boolean => items.length >= total,
    append(more: readonly TimelineItem[]): void {
      for (const item of more) items.push(item);
      rebuild();
    },
    setFilter(next: TimelineFilter): void {
      filter.value = next;
      rebuild();
      if (element !== undefined) scrollTo(0);
    },
    /** Unfolds the run of unchanged screenshots starting at item `start`. */
    expand(start: number): void {
      expanded.add(start);
      rebuild();
    },
    rowHeight,
    range,
    scrolling,
    activeIndex,
    /** Binds to the scroll container; returns the cleanup. */
    attach(scrollElement: HTMLElement): () => void {
      element = scrollElement;
      const instance: Virtualizer<HTMLElement, HTMLElement> = new Virtualizer<HTMLElement, HTMLElement>({
        count: rowCount(),
        getScrollElement: () => scrollElement,
        estimateSize: () => rowHeight,
        overscan: overscan(),
        scrollToFn: elementScroll,
        observeElementRect,
        observeElementOffset,
        initialRect: { width: scrollElement.clientWidth, height: scrollElement.clientHeight },
        rangeExtractor: (): number[] => windowIndexes(windowNow()),
        onChange: (changed) => {
          updateRange();
          if (scrolling.peek() !== changed.isScrolling) scrolling.value = changed.isScrolling;
        },
      });
      virtualizer = instance;
      const unmount = instance._didMount();
      instance._willUpdate();
      // Shown again (another tab was open): the highlighted row is where the player is.
      const active = activeIndex.peek();
      if (active > 0) scrollTo(scrollOffsetForIndex(active, { count: rowCount(), rowHeight, viewportHeight: scrollElement.clientHeight }));
      updateRange();
      return () => {
        unmount();
        if (virtualizer === instance) virtualizer = undefined;
        element = undefined;
      };
    },
    /** The row showing item `index`. */
    rowOfItem: (index: number): number => rowOfItem(rows, index),
    /** Scrolls so item `index` (its row) is near the top, and highlights it. */
    scrollToItem(index: number): void {
      const row = Math.max(0, rowOfItem(rows, index));
      activeIndex.value = row;
      if (element === undefined) return;
      scrollTo(scrollOffsetForIndex(row, { count: rowCount(), rowHeight, viewportHeight: element.clientHeight }));
    },
    /** Scrolls only as far as needed to show row `index` (keyboard navigation, following playback). */
    reveal(index: number): void {
      if (element === undefined) return;
      const top = index * rowHeight;
      const bottom = top + rowHeight;
      let offset = element.scrollTop;
      if (top < offset) offset = top;
      else if (bottom > offset + element.clientHeight) offset = bottom - element.clientHeight;
      if (offset !== element.scrollTop) scrollTo(offset);
    },
    /** Highlights the row the play head is in; `follow` also scrolls it into view. */
    markTime(t: number, follow = false): void {
      const row = rowOfItem(rows, indexAtTime(items, t));
      if (row !== activeIndex.peek()) activeIndex.value = row;
      if (follow && row >= 0 && element !== undefined) {
        const top = row * rowHeight;
        if (top < element.scrollTop || top + rowHeight > element.scrollTop + element.clientHeight) scrollTo(Math.max(0, top - rowHeight));
      }
    },
  };
}
export type TimelineModel = ReturnType<typeof createTimelineModel>;
