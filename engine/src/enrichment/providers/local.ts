import type { HostPort } from "../../host/index.ts";
import type { Evidence } from "../types.ts";
import type { EnrichmentProvider, TimelineContext } from "./port.ts";
import type { Chapter, ScreenshotAnalysisItem, SummaryOutput, TranscriptSegment } from "./schemas.ts";

/**
 * The local provider: no network. Uses on-device OCR and speech when the
 * host has them; otherwise derives chapters from screen change points and
 * markers, an extractive summary, and tasks from transcript patterns.
 */
const STOP = new Set(
  "about after again also because been before being could doing from have here into just like made make more most much need only other over really should some than that their them then there these they thing think this those through very want were what when where which while will with would your yeah okay going".split(" "),
);
const TASK_PATTERN = /\b(?:todo|to-do|need to|needs to|have to|has to|must|should|remember to|follow up|action item|don't forget to)\b/i;
const NOTE_PATTERN = /\b(?:decided|decision|important|note that|noted|agreed|learned|turns out)\b/i;
const MIN_CHAPTER_MS = 120_000;
const MAX_CHAPTER_MS = 15 * 60_000;

function sentences(segments: readonly TranscriptSegment[]): { text: string; evidence: Evidence }[] {
  const out: { text: string; evidence: Evidence }[] = [];
  for (const segment of segments) {
    for (const raw of segment.text.split(/(?<=[.!?])\s+/)) {
      const text = raw.trim();
      if (text.length >= 8) out.push({ text, evidence: { tStart: segment.tStart, tEnd: segment.tEnd, kind: "audio", ref: segment.ref } });
    }
  }
  return out;
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z][a-z'-]{3,}/g)?.filter((w) => !STOP.has(w)) ?? [];
}

function frequencies(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) for (const word of words(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

function topWords(counts: Map<string, number>, n: number): string[] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([word]) => word);
}

function screenEvidence(context: TimelineContext, from: number, to: number): Evidence[] {
  const shot = context.screenshots.find((s) => s.t >= from && s.t < to);
  const marker = context.markers.find((m) => m.t >= from && m.t < to);
  const out: Evidence[] = [];
  if (shot !== undefined) out.push({ tStart: shot.t, tEnd: shot.t, kind: "screenshot", ref: shot.ref });
  if (marker !== undefined) out.push({ tStart: marker.t, tEnd: marker.t, kind: "marker", ref: marker.ref });
  const audio = context.transcript.find((s) => s.tEnd > from && s.tStart < to && s.text.trim() !== "");
  if (audio !== undefined) out.push({ tStart: audio.tStart, tEnd: audio.tEnd, kind: "audio", ref: audio.ref });
  return out;
}

/** Chapter boundaries: markers, and screens whose application or activity changes after a stable stretch. */
export function changePoints(context: TimelineContext): number[] {
  const cuts = new Set<number>([0]);
  for (const marker of context.markers) cuts.add(marker.t);
  let last = 0;
  let previous: string | undefined;
  for (const shot of [...context.screenshots].sort((a, b) => a.t - b.t)) {
    const label = `${shot.application}|${shot.activity}`;
    if (previous !== undefined && label !== previous && shot.t - last >= MIN_CHAPTER_MS) {
      cuts.add(shot.t);
      last = shot.t;
    }
    previous = label;
  }
  const sorted = [...cuts].filter((t) => t >= 0 && t < Math.max(1, context.durationMs)).sort((a, b) => a - b);
  // Long stretches without a change still get split, so chapters stay navigable.
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i]!;
    const end = sorted[i + 1] ?? context.durationMs;
    for (let t = start; t < end; t += MAX_CHAPTER_MS) out.push(t);
  }
  return out.length === 0 ? [0] : out;
}

/** "1 marker", "3 markers". */
export function countOf(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** A session length as people say it: "18 seconds", "12 minutes", "2 hours 5 minutes". */
export function spokenDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return countOf(seconds, "second");
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return countOf(minutes, "minute");
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? countOf(hours, "hour") : `${countOf(hours, "hour")} ${countOf(rest, "minute")}`;
}

export function localChapters(context: TimelineContext): Chapter[] {
  const cuts = changePoints(context);
  return cuts.map((start, i) => {
    const end = cuts[i + 1] ?? Math.max(start, context.durationMs);
    const marker = context.markers.find((m) => m.t === start);
    const shots = context.screenshots.filter((s) => s.t >= start && s.t < end);
    const apps = topWords(frequencies(shots.map((s) => `${s.application} ${s.activity}`)), 2);
    const talk = context.transcript.filter((s) => s.tEnd > start && s.tStart < end).map((s) => s.text);
    const topics = topWords(frequencies(talk), 3);
    // A marker without a note names nothing: fall back to what was on screen or said.
    const title = marker?.label.trim() || (apps.length > 0 ? apps.join(", ") : topics.length > 0 ? topics.join(", ") : `Part ${i + 1}`);
    return {
      title: title.slice(0, 200),
      summary: topics.length > 0 ? `Talked about ${topics.join(", ")}.` : `${countOf(shots.length, "screen change")}.`,
      tStart: start,
      tEnd: end,
      evidence: screenEvidence(context, start, end),
    };
  });
}

export function localSummary(context: TimelineContext): SummaryOutput {
  const all = sentences(context.transcript);
  const counts = frequencies(all.map((s) => s.text));
  const score = (text: string) => {
    const list = words(text);
    return list.length === 0 ? 0 : list.reduce((sum, w) => sum + (counts.get(w) ?? 0), 0) / Math.sqrt(list.length);
  };
  const ranked = [...all].sort((a, b) => score(b.text) - score(a.text)).slice(0, 5).sort((a, b) => a.evidence.tStart - b.evidence.tStart);
  const topics = topWords(counts, 4);
  const chapters = context.chapters ?? [];
  const tasks = all
    .filter((s) => TASK_PATTERN.test(s.text))
    .slice(0, 30)
    .map((s) => ({ title: s.text.replace(/^(?:todo|to-do)[:\s-]*/i, "").slice(0, 500) || s.text.slice(0, 500), priority: /\b(?:must|urgent|asap|before the release)\b/i.test(s.text) ? ("high" as const) : ("medium" as const), evidence: [s.evidence] }));
  const notes = [
    ...context.markers.filter((m) => m.label.trim() !== "").map((m) => ({ text: m.label.slice(0, 4000), evidence: [{ tStart: m.t, tEnd: m.t, kind: "marker" as const, ref: m.ref }] })),
    ...all.filter((s) => NOTE_PATTERN.test(s.text)).slice(0, 20).map((s) => ({ text: s.text.slice(0, 4000), evidence: [s.evidence] })),
  ];
  const points =
    ranked.length > 0
      ? ranked.map((s) => ({ text: s.text.slice(0, 2000), evidence: [s.evidence] }))
      : chapters.slice(0, 5).map((c) => ({ text: `${c.title}: ${c.summary}`.slice(0, 2000), evidence: c.evidence }));
  const summary =
    ranked.length > 0
      ? ranked.slice(0, 3).map((s) => s.text).join(" ")
      : `${countOf(context.screenshots.length, "screenshot")} and ${countOf(context.markers.length, "marker")} over ${spokenDuration(context.durationMs)}${chapters.length > 1 ? `, in ${countOf(chapters.length, "chapter")}` : ""}.`;
  return {
    title: (topics.length > 0 ? topics.join(", ") : context.sessionName).slice(0, 300),
    summary: `${summary} (made on this machine)`.slice(0, 8000),
    points: points.filter((p) => p.text.length > 0),
    tasks,
    notes,
  };
}

export function createLocalProvider(host: HostPort): EnrichmentProvider {
  const usage = [{ provider: "local" as const, model: "local", inputTokens: 0, outputTokens: 0, audioSeconds: 0, images: 0, batch: false }];
  return {
    name: "local",
    local: true,
    async transcribe(input) {
      if (host.speech === undefined) return { value: [], usage };
      const segments = await host.speech.transcribe(input.path);
      return { value: segments.map((s) => ({ ref: input.ref, tStart: input.tStart + s.startMs, tEnd: Math.min(input.tEnd, input.tStart + s.endMs), text: s.text })), usage };
    },
    async analyseScreenshots(images) {
      const out: ScreenshotAnalysisItem[] = [];
      for (const image of images) {
        if (host.vision === undefined) {
          out.push({ ref: image.ref, activity: "", application: "", details: "" });
          continue;
        }
        const ocr = await host.vision.recognizeText(image.path);
        const firstLine = ocr.text.split("\n").find((line) => line.trim() !== "")?.trim() ?? "";
        out.push({ ref: image.ref, activity: firstLine.slice(0, 300), application: "", details: ocr.text.slice(0, 2000) });
      }
      return { value: out, usage };
    },
    async reviewAudio(context) {
      const all = sentences(context.transcript);
      return {
        value: { topics: topWords(frequencies(all.map((s) => s.text)), 8), keyPoints: all.filter((s) => NOTE_PATTERN.test(s.text) || TASK_PATTERN.test(s.text)).slice(0, 20).map((s) => ({ text: s.text.slice(0, 1000), evidence: [s.evidence] })) },
        usage,
      };
    },
    async chapters(context) {
      return { value: localChapters(context), usage };
    },
    async summary(context) {
      return { value: localSummary(context), usage };
    },
  };
}
