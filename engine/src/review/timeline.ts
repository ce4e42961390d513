import type { Evidence, TimelineItem } from "./review-schemas.ts";

/** Timeline items sorted by time; chapters before other items at the same instant, so a chapter heads its section. */
export function sortTimeline(items: readonly TimelineItem[]): TimelineItem[] {
  const rank = (item: TimelineItem) => (item.kind === "chapter" ? 0 : item.kind === "marker" ? 1 : item.kind === "screenshot" ? 2 : 3);
  return [...items].sort((a, b) => a.t - b.t || rank(a) - rank(b));
}

/** Index of the last item at or before `t` in a sorted timeline (0 when `t` precedes everything; -1 when empty). */
export function indexAtTime(items: readonly { readonly t: number }[], t: number): number {
  if (items.length === 0) return -1;
  let lo = 0;
  let hi = items.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((items[mid] as { t: number }).t <= t) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** Screenshot items only, in time order: the slideshow's frames. */
export function slideshowFrames(items: readonly TimelineItem[]): Extract<TimelineItem, { kind: "screenshot" }>[] {
  return items.filter((item): item is Extract<TimelineItem, { kind: "screenshot" }> => item.kind === "screenshot");
}

/** The frame shown at `t`: the last screenshot taken at or before it, else the first. */
export function frameAtTime(frames: readonly Extract<TimelineItem, { kind: "screenshot" }>[], t: number): Extract<TimelineItem, { kind: "screenshot" }> | undefined {
  const index = indexAtTime(frames, t);
  return index < 0 ? undefined : frames[index];
}

/** Where an evidence chip points: the time to seek to and the timeline index to scroll to. */
export function resolveEvidence(items: readonly TimelineItem[], evidence: Evidence): { readonly t: number; readonly index: number } {
  // Screenshots are named by sequence number and markers by id; audio evidence resolves by time.
  const byRef = evidence.kind === "audio" ? -1 : items.findIndex((item) => item.kind === evidence.kind && (item.kind === "screenshot" ? (item.ref ?? item.id) : item.id) === evidence.ref);
  if (byRef >= 0) return { t: evidence.tStart, index: byRef };
  return { t: evidence.tStart, index: Math.max(0, indexAtTime(items, evidence.tStart)) };
}

/** `h:mm:ss` (or `m:ss` under an hour) for a millisecond offset. */
export function formatOffset(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}
