import { checkEvidence, type Timeline } from "../evidence.ts";
import type { EnrichmentResults, SessionView } from "../session-source.ts";
import type { ResultDraft } from "./steps.ts";

export function timelineOf(session: SessionView): Timeline {
  return {
    durationMs: session.durationMs,
    screenshots: new Map(session.screenshots.map((s) => [s.ref, s.t])),
    audio: new Map(session.audio.map((a) => [a.ref, { tStart: a.tStart, tEnd: a.tEnd }])),
    markers: new Map(session.markers.map((m) => [m.ref, m.t])),
  };
}

/** Checks every result's evidence against the real timeline. */
export function checkResults(session: SessionView, draft: ResultDraft): EnrichmentResults {
  const timeline = timelineOf(session);
  const chapters = draft.chapters.map((c) => checkEvidence(c, timeline));
  const points = draft.summary.points.map((p) => checkEvidence(p, timeline));
  const tasks = draft.summary.tasks.map((t) => checkEvidence(t, timeline));
  const notes = draft.summary.notes.map((n) => checkEvidence(n, timeline));
  const flagged = [...chapters, ...points, ...tasks, ...notes].filter((item) => item.flagged).length;
  return { provider: draft.provider, local: draft.local, screenshots: draft.screenshots, transcript: draft.transcript, audioReview: draft.audioReview, chapters, summary: { ...draft.summary, points, tasks, notes }, flagged };
}
