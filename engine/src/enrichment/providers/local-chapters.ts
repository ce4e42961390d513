/**
 * Extractive chapters: boundaries where what is on screen really changes
 * (application or document), or at a marker; short blips folded into their
 * neighbours; titles named after what was done ("Editing auth.ts in VS Code",
 * "Call: Sprint planning"), never "Part N".
 */
import type { Evidence } from "../types.ts";
import type { TimelineContext } from "./port.ts";
import type { Chapter } from "./schemas.ts";
import { frequencies, spokenDuration, topWords } from "./local-text.ts";

type Shot = TimelineContext["screenshots"][number];

interface Run {
  start: number;
  end: number;
  /** Time on screen per activity label within the run. */
  time: Map<string, number>;
  shots: Shot[];
  marker?: TimelineContext["markers"][number];
}

const labelOf = (shot: Shot) => (shot.activity.trim() || shot.application.trim()).slice(0, 200);
const wordSet = (label: string) => new Set(label.toLowerCase().match(/[a-z0-9]+/g) ?? []);

/** Whether two activity labels name the same thing, allowing for OCR noise. */
export function sameActivity(a: string, b: string): boolean {
  if (a === b) return true;
  const x = wordSet(a);
  const y = wordSet(b);
  if (x.size === 0 || y.size === 0) return x.size === y.size;
  let shared = 0;
  for (const w of x) if (y.has(w)) shared++;
  return shared / (x.size + y.size - shared) >= 0.5;
}

function dominant(run: Run): string {
  let best = "";
  let most = -1;
  for (const [label, ms] of run.time) {
    if (ms > most || (ms === most && label < best)) {
      best = label;
      most = ms;
    }
  }
  return best;
}

function merge(into: Run, from: Run): void {
  into.start = Math.min(into.start, from.start);
  into.end = Math.max(into.end, from.end);
  for (const [label, ms] of from.time) into.time.set(label, (into.time.get(label) ?? 0) + ms);
  into.shots.push(...from.shots);
  into.marker ??= from.marker;
}

/** Runs of screenshots showing the same activity, cut at markers. */
function runsOf(context: TimelineContext): Run[] {
  const shots = [...context.screenshots].sort((a, b) => a.t - b.t);
  const markers = [...context.markers].sort((a, b) => a.t - b.t);
  const end = Math.max(1, context.durationMs);
  const runs: Run[] = [];
  let markerIndex = 0;
  for (const [i, shot] of shots.entries()) {
    const until = shots[i + 1]?.t ?? end;
    const label = labelOf(shot);
    let cutByMarker: TimelineContext["markers"][number] | undefined;
    while (markerIndex < markers.length && markers[markerIndex]!.t <= shot.t) cutByMarker = markers[markerIndex++];
    const last = runs[runs.length - 1];
    if (last !== undefined && cutByMarker === undefined && sameActivity(dominant(last), label)) {
      last.end = until;
      last.time.set(label, (last.time.get(label) ?? 0) + (until - shot.t));
      last.shots.push(shot);
    } else {
      const start = runs.length === 0 ? 0 : (cutByMarker?.t ?? shot.t);
      if (last !== undefined) last.end = start;
      runs.push({ start, end: until, time: new Map([[label, until - shot.t]]), shots: [shot], ...(cutByMarker === undefined ? {} : { marker: cutByMarker }) });
    }
  }
  if (runs.length === 0) runs.push({ start: 0, end, time: new Map(), shots: [] });
  return runs;
}

/** Folds blips (one screenshot, under 1% of the session) and then the shortest chapters until at most `limit` remain. */
function coarsen(runs: Run[], durationMs: number, limit: number): Run[] {
  const out = [...runs];
  const blip = Math.max(1, durationMs * 0.01);
  for (let i = out.length - 1; i > 0; i--) {
    const run = out[i]!;
    if (run.marker === undefined && run.shots.length <= 1 && run.end - run.start < blip) {
      merge(out[i - 1]!, run);
      out.splice(i, 1);
    }
  }
  // Neighbours that became the same activity after folding blips join up.
  for (let i = out.length - 1; i > 0; i--) {
    if (out[i]!.marker === undefined && sameActivity(dominant(out[i - 1]!), dominant(out[i]!))) {
      merge(out[i - 1]!, out[i]!);
      out.splice(i, 1);
    }
  }
  while (out.length > limit) {
    let shortest = -1;
    for (let i = 0; i < out.length; i++) {
      if (out[i]!.marker !== undefined && out.filter((r) => r.marker !== undefined).length <= limit) continue;
      if (shortest < 0 || out[i]!.end - out[i]!.start < out[shortest]!.end - out[shortest]!.start) shortest = i;
    }
    if (shortest < 0) break;
    const neighbour = shortest === 0 ? 1 : shortest === out.length - 1 ? shortest - 1 : out[shortest - 1]!.end - out[shortest - 1]!.start <= out[shortest + 1]!.end - out[shortest + 1]!.start ? shortest - 1 : shortest + 1;
    const [first, second] = neighbour < shortest ? [neighbour, shortest] : [shortest, neighbour];
    merge(out[first]!, out[second]!);
    out.splice(second, 1);
  }
  return out;
}

/** At most how many chapters a session of this length reads well with: one per 45 seconds, 3 to 40. */
export function chapterLimit(durationMs: number): number {
  return Math.max(3, Math.min(40, Math.round(durationMs / 45_000)));
}

function evidenceFor(context: TimelineContext, run: Run, label: string): Evidence[] {
  const out: Evidence[] = [];
  const shot = run.shots.find((s) => labelOf(s) === label) ?? run.shots[0];
  if (shot !== undefined) out.push({ tStart: shot.t, tEnd: shot.t, kind: "screenshot", ref: shot.ref });
  if (run.marker !== undefined) out.push({ tStart: run.marker.t, tEnd: run.marker.t, kind: "marker", ref: run.marker.ref });
  const audio = context.transcript.find((s) => s.tEnd > run.start && s.tStart < run.end && s.text.trim() !== "");
  if (audio !== undefined) out.push({ tStart: audio.tStart, tEnd: audio.tEnd, kind: "audio", ref: audio.ref });
  return out;
}

function chapterText(context: TimelineContext, run: Run, title: string): { title: string; summary: string } {
  const talk = context.transcript.filter((s) => s.tEnd > run.start && s.tStart < run.end && s.text.trim() !== "");
  const topics = topWords(frequencies(talk.map((s) => s.text)), 3);
  const main = dominant(run);
  const others = [...run.time].filter(([label, ms]) => label !== "" && label !== main && ms > 0).sort((a, b) => b[1] - a[1]);
  const sentences: string[] = [];
  const lead = run.shots.find((s) => labelOf(s) === main);
  const firstLine = lead?.details.split("\n").find((l) => l.trim().length >= 12);
  if (main !== "") sentences.push(`${main} for ${spokenDuration(run.time.get(main) ?? 0)}${firstLine === undefined ? "" : `: “${firstLine.trim().slice(0, 120)}”`}.`);
  if (others.length > 0) sentences.push(`Also ${others.slice(0, 3).map(([label, ms]) => `${label} (${spokenDuration(ms)})`).join(", ")}${others.length > 3 ? ` and ${others.length - 3} more` : ""}.`);
  if (topics.length > 0) sentences.push(`Talked about ${topics.join(", ")}.`);
  if (sentences.length === 0) sentences.push(`${spokenDuration(run.end - run.start)} with nothing recognised on screen and no speech.`);
  let fullTitle = title;
  if (fullTitle === "") fullTitle = topics.length > 0 ? `Talking about ${topics.join(", ")}` : run.start === 0 && run.end >= context.durationMs ? "Whole session" : "Unrecognised screen activity";
  return { title: fullTitle, summary: sentences.join(" ") };
}

/** Extractive chapters for a timeline. */
export function localChapters(context: TimelineContext): Chapter[] {
  const runs = coarsen(runsOf(context), context.durationMs, chapterLimit(context.durationMs));
  return runs.map((run) => {
    const main = dominant(run);
    const markerLabel = run.marker?.label.trim() ?? "";
    const title = markerLabel !== "" ? (main !== "" && !sameActivity(markerLabel, main) ? `${markerLabel} — ${main}` : markerLabel) : main;
    const text = chapterText(context, run, title);
    return { title: text.title.slice(0, 200), summary: text.summary.slice(0, 2000), tStart: run.start, tEnd: Math.max(run.start, run.end), evidence: evidenceFor(context, run, main) };
  });
}
