/** Small text tools the local provider's extractive methods share: words, counts, spoken numbers. */
import type { Evidence } from "../types.ts";
import type { TranscriptSegment } from "./schemas.ts";

const STOP = new Set(
  "about after again also because been before being could doing from have here into just like made make more most much need only other over really should some than that their them then there these they thing think this those through very want were what when where which while will with would your yeah okay going".split(" "),
);
export const TASK_PATTERN = /\b(?:todo|to-do|need to|needs to|have to|has to|must|should|remember to|remind me to|follow up|action item|don't forget to)\b/i;
export const NOTE_PATTERN = /\b(?:decided|decision|important|note that|noted|note to self|agreed|learned|turns out)\b/i;

export function sentences(segments: readonly TranscriptSegment[]): { text: string; evidence: Evidence }[] {
  const out: { text: string; evidence: Evidence }[] = [];
  for (const segment of segments) {
    for (const raw of segment.text.split(/(?<=[.!?])\s+/)) {
      const text = raw.trim();
      if (text.length >= 8) out.push({ text, evidence: { tStart: segment.tStart, tEnd: segment.tEnd, kind: "audio", ref: segment.ref } });
    }
  }
  return out;
}

export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z][a-z'-]{3,}/g)?.filter((w) => !STOP.has(w)) ?? [];
}

export function frequencies(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) for (const word of words(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

export function topWords(counts: Map<string, number>, n: number): string[] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([word]) => word);
}

/** 2880 → "2,880" (without Intl, which a bare JavaScriptCore may lack). */
export function grouped(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "1 marker", "3 markers", with thousands grouped as the header groups them ("2,880"). */
export function countOf(n: number, word: string): string {
  return `${grouped(n)} ${word}${n === 1 ? "" : "s"}`;
}

/** A length as people say it: "18 seconds", "12 minutes", "2 hours 5 minutes". */
export function spokenDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return countOf(seconds, "second");
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return countOf(minutes, "minute");
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? countOf(hours, "hour") : `${countOf(hours, "hour")} ${countOf(rest, "minute")}`;
}

/** "a, b and c". */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
