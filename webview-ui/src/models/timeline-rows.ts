import type { TimelineItem } from "../../../engine/src/review/models.ts";

/** Which kinds of row the timeline shows; none chosen means everything. */
export interface TimelineFilter {
  readonly chapters: boolean;
  readonly markers: boolean;
  readonly speech: boolean;
  /** Screenshots where the screen changed (unchanged ones are hidden). */
  readonly screen: boolean;
}

export const NO_FILTER: TimelineFilter = { chapters: false, markers: false, speech: false, screen: false };

/** A displayed row: one item, or a run of unchanged screenshots folded into one. */
export type ViewRow = { readonly kind: "item"; readonly index: number } | { readonly kind: "run"; readonly start: number; readonly end: number; readonly t: number; readonly tEnd: number };

/** Runs shorter than this stay as separate rows. */
export const MIN_RUN = 2;

const unchanged = (item: TimelineItem): boolean => item.kind === "screenshot" && item.isDuplicate === true;

function passes(item: TimelineItem, filter: TimelineFilter): boolean {
  if (!filter.chapters && !filter.markers && !filter.speech && !filter.screen) return true;
  switch (item.kind) {
    case "chapter":
      return filter.chapters;
    case "marker":
      return filter.markers;
    case "transcript":
      return filter.speech;
    case "screenshot":
      return filter.screen && item.isDuplicate !== true;
  }
}

/**
 * The rows for `items` (sorted by time): filtered, with each run of at least
 * `MIN_RUN` consecutive unchanged screenshots folded into one row unless its
 * first index is in `expanded`.
 */
export function buildRows(items: readonly TimelineItem[], filter: TimelineFilter, expanded: ReadonlySet<number>): ViewRow[] {
  const rows: ViewRow[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as TimelineItem;
    if (!passes(item, filter)) continue;
    if (unchanged(item) && !expanded.has(i)) {
      let end = i + 1;
      while (end < items.length && unchanged(items[end] as TimelineItem)) end++;
      if (end - i >= MIN_RUN) {
        rows.push({ kind: "run", start: i, end, t: item.t, tEnd: (items[end - 1] as TimelineItem).t });
        i = end - 1;
        continue;
      }
    }
    if (unchanged(item) && expanded.has(i)) {
      // An expanded run lists every member.
      let end = i;
      while (end < items.length && unchanged(items[end] as TimelineItem)) rows.push({ kind: "item", index: end++ });
      i = end - 1;
      continue;
    }
    rows.push({ kind: "item", index: i });
  }
  return rows;
}

/** The row showing item `index` (or the last row before it when it is filtered out); -1 before every row. */
export function rowOfItem(rows: readonly ViewRow[], index: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const row = rows[mid] as ViewRow;
    const first = row.kind === "item" ? row.index : row.start;
    if (first <= index) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
