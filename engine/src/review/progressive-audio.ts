/**
 * Progressive audio loading, as pure decisions. The player knows every
 * segment's metadata at once; it must have the first `initial` segments
 * before playing, then fetches the rest `batch` at a time in the background,
 * always preferring the segments nearest the play head.
 */

export type SegmentLoad = "idle" | "loading" | "loaded" | "failed";

export interface AudioPlan {
  readonly segments: readonly { readonly t: number; readonly durationMs: number }[];
  readonly loads: readonly SegmentLoad[];
  /** Segment index the play head is in (or will start from). */
  readonly current: number;
  readonly initial?: number;
  readonly batch?: number;
}

export const INITIAL_SEGMENTS = 3;
export const BACKGROUND_BATCH = 2;

/** True once the segments needed to start playing from `current` are loaded. */
export function canStartPlayback(plan: AudioPlan): boolean {
  const initial = plan.initial ?? INITIAL_SEGMENTS;
  const needed = Math.min(plan.segments.length, plan.current + initial);
  if (plan.segments.length === 0) return false;
  for (let i = plan.current; i < needed; i++) if (plan.loads[i] !== "loaded") return false;
  return true;
}

/**
 * Which segments to start fetching now. Before playback can start, the first
 * `initial` from the play head; after that, at most `batch` in flight, nearest
 * the play head first (ahead, then wrapping to earlier ones). Failed segments
 * are not retried here; the caller decides.
 */
export function nextLoads(plan: AudioPlan): number[] {
  const initial = plan.initial ?? INITIAL_SEGMENTS;
  const batch = plan.batch ?? BACKGROUND_BATCH;
  const count = plan.segments.length;
  if (count === 0) return [];
  const current = Math.min(Math.max(0, plan.current), count - 1);
  const order: number[] = [];
  for (let i = current; i < count; i++) order.push(i);
  for (let i = 0; i < current; i++) order.push(i);
  if (!canStartPlayback({ ...plan, current, initial })) {
    return order.slice(0, initial).filter((i) => plan.loads[i] === undefined || plan.loads[i] === "idle");
  }
  const inFlight = plan.loads.filter((load) => load === "loading").length;
  const room = Math.max(0, batch - inFlight);
  return order.filter((i) => plan.loads[i] === undefined || plan.loads[i] === "idle").slice(0, room);
}

/** The segment holding time `t` and the offset into it; past the end gives the last segment's end. */
export function locateSegment(segments: readonly { readonly t: number; readonly durationMs: number }[], t: number): { readonly index: number; readonly offsetMs: number } | undefined {
  if (segments.length === 0) return undefined;
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i] as { t: number; durationMs: number };
    if (t >= segment.t) return { index: i, offsetMs: Math.min(segment.durationMs, t - segment.t) };
  }
  return { index: 0, offsetMs: 0 };
}

/** Total duration covered by the segments (end of the last one). */
export function totalDuration(segments: readonly { readonly t: number; readonly durationMs: number }[]): number {
  const last = segments[segments.length - 1];
  return last === undefined ? 0 : last.t + last.durationMs;
}
