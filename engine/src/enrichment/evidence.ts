import type { Evidence } from "./types.ts";

/** The session's real timeline, against which evidence is checked. */
export interface Timeline {
  readonly durationMs: number;
  readonly screenshots: ReadonlyMap<string, number>;
  readonly audio: ReadonlyMap<string, { readonly tStart: number; readonly tEnd: number }>;
  readonly markers: ReadonlyMap<string, number>;
}

/** How far a cited time may sit from the item it names (clock skew, rounding). */
export const EVIDENCE_TOLERANCE_MS = 5000;

/** The evidence item snapped to the timeline, or undefined when it does not resolve. */
export function resolveEvidence(item: Evidence, timeline: Timeline): Evidence | undefined {
  if (item.tEnd < item.tStart) return undefined;
  if (item.tStart > timeline.durationMs + EVIDENCE_TOLERANCE_MS) return undefined;
  if (item.kind === "screenshot" || item.kind === "marker") {
    const t = (item.kind === "screenshot" ? timeline.screenshots : timeline.markers).get(item.ref);
    if (t === undefined) return undefined;
    if (t < item.tStart - EVIDENCE_TOLERANCE_MS || t > item.tEnd + EVIDENCE_TOLERANCE_MS) return undefined;
    return { ...item, tStart: t, tEnd: t };
  }
  const span = timeline.audio.get(item.ref);
  if (span === undefined) return undefined;
  if (item.tEnd < span.tStart - EVIDENCE_TOLERANCE_MS || item.tStart > span.tEnd + EVIDENCE_TOLERANCE_MS) return undefined;
  return { ...item, tStart: Math.max(span.tStart, item.tStart), tEnd: Math.min(span.tEnd, Math.max(item.tEnd, item.tStart)) };
}

/**
 * Checks an item's evidence: resolvable items are kept (snapped to the
 * timeline); an item with no evidence or any unresolvable evidence is flagged
 * so the user sees it is unsupported, never silently kept as if it were.
 */
export function checkEvidence<T extends { readonly evidence: readonly Evidence[] }>(item: T, timeline: Timeline): T & { flagged: boolean; evidence: Evidence[] } {
  const resolved: Evidence[] = [];
  let unresolved = 0;
  for (const evidence of item.evidence) {
    const ok = resolveEvidence(evidence, timeline);
    if (ok === undefined) unresolved++;
    else resolved.push(ok);
  }
  return { ...item, evidence: resolved, flagged: unresolved > 0 || resolved.length === 0 };
}
