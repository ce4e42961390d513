import type { ImageInput, TimelineContext } from "./port.ts";
import type { TranscriptSegment } from "./schemas.ts";

/** Instructions shared by the cloud providers. Kept short: every token is billed. */
export const SYSTEM_PROMPT =
  "You review a recorded work session. Times are milliseconds from the session start. " +
  "Every chapter, point, task and note must cite evidence items {tStart,tEnd,kind,ref} taken only from the refs given; never invent refs.";

export function screenshotPrompt(images: readonly ImageInput[]): string {
  const refs = images.map((image) => `${image.ref}@${Math.round(image.t)}`).join(", ");
  return `Describe each screenshot in order (ref@t): ${refs}. One entry per ref, short activity and application, details with visible task-relevant text.`;
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** Transcript characters a timeline prompt carries (≈ 8k tokens); longer transcripts are condensed. */
export const TRANSCRIPT_BUDGET_CHARS = 32_000;
const KEEP = /\b(?:todo|need to|have to|must|should|remember|follow up|action item|decided|decision|important|agreed)\b/i;

/**
 * Condenses a long transcript to the budget: lines that carry tasks or
 * decisions stay, the rest is sampled evenly, order kept. Segment refs and
 * times are untouched, so evidence still resolves.
 */
export function condenseTranscript(segments: readonly TranscriptSegment[], budget = TRANSCRIPT_BUDGET_CHARS): TranscriptSegment[] {
  const spoken = segments.filter((s) => s.text.trim() !== "");
  const total = spoken.reduce((n, s) => n + s.text.length + 24, 0);
  if (total <= budget) return spoken;
  const keep = new Set<number>();
  let used = 0;
  spoken.forEach((s, i) => {
    if (KEEP.test(s.text) && used + s.text.length + 24 <= budget / 2) {
      keep.add(i);
      used += s.text.length + 24;
    }
  });
  const rest = spoken.map((_, i) => i).filter((i) => !keep.has(i));
  const room = budget - used;
  const average = rest.length === 0 ? 1 : (total - used) / rest.length;
  const take = Math.max(0, Math.floor(room / average));
  for (let k = 0; k < take && k < rest.length; k++) keep.add(rest[Math.floor((k * rest.length) / take)]!);
  return spoken.filter((_, i) => keep.has(i));
}

/**
 * The timeline as compact lines, wrapped in a `<context>` JSON block that
 * lists the valid refs (the fake servers read it too, to answer plausibly).
 */
export function timelinePrompt(context: TimelineContext, task: string): string {
  const lines: string[] = [`Session "${context.sessionName}", ${clock(context.durationMs)} long.`];
  if (context.markers.length > 0) {
    lines.push("Markers:");
    for (const marker of context.markers) lines.push(`${marker.ref} t=${Math.round(marker.t)} ${marker.label}`);
  }
  if (context.screenshots.length > 0) {
    lines.push("Screens:");
    for (const shot of context.screenshots) lines.push(`${shot.ref} t=${Math.round(shot.t)} ${shot.application}: ${shot.activity}${shot.details ? ` — ${shot.details.slice(0, 160)}` : ""}`);
  }
  const transcript = condenseTranscript(context.transcript);
  if (transcript.length > 0) {
    lines.push(transcript.length < context.transcript.filter((s) => s.text.trim() !== "").length ? "Transcript (condensed):" : "Transcript:");
    for (const segment of transcript) if (segment.text.trim() !== "") lines.push(`${segment.ref} t=${Math.round(segment.tStart)}-${Math.round(segment.tEnd)} ${segment.text.trim()}`);
  }
  if (context.chapters !== undefined && context.chapters.length > 0) {
    lines.push("Chapters:");
    for (const chapter of context.chapters) lines.push(`${clock(chapter.tStart)}-${clock(chapter.tEnd)} ${chapter.title}`);
  }
  const refs = {
    durationMs: context.durationMs,
    screenshot: context.screenshots.map((s) => [s.ref, Math.round(s.t)]),
    audio: transcript.map((s) => [s.ref, Math.round(s.tStart), Math.round(s.tEnd)]),
    marker: context.markers.map((m) => [m.ref, Math.round(m.t)]),
  };
  return `${task}\n\n${lines.join("\n")}\n<context>${JSON.stringify(refs)}</context>`;
}

export const CHAPTERS_TASK = "Split the session into chapters (a new chapter where the work changes). Cite evidence for each.";
export const SUMMARY_TASK = "Summarise the session: a title, a short summary, key points, tasks the user committed to, and notes worth keeping. Cite evidence for each.";
export const AUDIO_REVIEW_TASK = "List the topics of the transcript and its key points. Cite the audio evidence for each.";
