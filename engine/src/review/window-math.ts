/**
 * Virtual-list window math for fixed-height rows. Pure: the timeline view and
 * @tanstack/virtual-core's range extractor both call it, and it is tested alone.
 */

export interface WindowInput {
  readonly count: number;
  readonly rowHeight: number;
  readonly scrollTop: number;
  readonly viewportHeight: number;
  readonly overscan: number;
}

export interface WindowRange {
  /** First rendered index (inclusive). */
  readonly start: number;
  /** Last rendered index (exclusive). */
  readonly end: number;
  /** First and last index actually on screen (end exclusive). */
  readonly visibleStart: number;
  readonly visibleEnd: number;
  /** Offset of row `start` from the top of the list. */
  readonly offsetTop: number;
  readonly totalHeight: number;
}

/** The rows to render for a scroll position: the visible rows plus `overscan` on each side, clamped. */
export function computeWindow(input: WindowInput): WindowRange {
  const count = Math.max(0, Math.floor(input.count));
  const rowHeight = input.rowHeight > 0 ? input.rowHeight : 1;
  const totalHeight = count * rowHeight;
  if (count === 0) return { start: 0, end: 0, visibleStart: 0, visibleEnd: 0, offsetTop: 0, totalHeight: 0 };
  const maxScroll = Math.max(0, totalHeight - Math.max(0, input.viewportHeight));
  const scrollTop = Math.min(Math.max(0, input.scrollTop), maxScroll);
  const visibleStart = Math.min(count - 1, Math.floor(scrollTop / rowHeight));
  const visibleEnd = Math.min(count, Math.max(visibleStart + 1, Math.ceil((scrollTop + Math.max(0, input.viewportHeight)) / rowHeight)));
  const overscan = Math.max(0, Math.floor(input.overscan));
  const start = Math.max(0, visibleStart - overscan);
  const end = Math.min(count, visibleEnd + overscan);
  return { start, end, visibleStart, visibleEnd, offsetTop: start * rowHeight, totalHeight };
}

/** Indexes in [start, end) as an array, the shape a range extractor returns. */
export function windowIndexes(range: { readonly start: number; readonly end: number }): number[] {
  const out: number[] = [];
  for (let i = range.start; i < range.end; i++) out.push(i);
  return out;
}

/** Scroll offset that puts row `index` near the top (a little context above), clamped to the list. */
export function scrollOffsetForIndex(index: number, input: Omit<WindowInput, "scrollTop" | "overscan">, contextRows = 1): number {
  const rowHeight = input.rowHeight > 0 ? input.rowHeight : 1;
  const totalHeight = Math.max(0, input.count) * rowHeight;
  const maxScroll = Math.max(0, totalHeight - Math.max(0, input.viewportHeight));
  return Math.min(maxScroll, Math.max(0, (index - contextRows) * rowHeight));
}
