/** Session-time arithmetic: wall-clock instants to session time (paused spans excluded). */
import type { PauseSpan } from "./machine.ts";

/**
 * Session time of a wall-clock instant: time since `startedAt` minus every
 * paused stretch before it (an open pause counts up to `at`).
 */
export function sessionTimeAt(at: number, startedAt: number, pauses: readonly PauseSpan[], openPauseFrom: number | null = null): number {
  if (at <= startedAt) return 0;
  let paused = 0;
  for (const span of pauses) {
    if (span.from >= at) continue;
    paused += Math.min(span.to, at) - Math.max(span.from, startedAt);
  }
  if (openPauseFrom !== null && openPauseFrom < at) paused += at - Math.max(openPauseFrom, startedAt);
  return Math.max(0, at - startedAt - paused);
}
