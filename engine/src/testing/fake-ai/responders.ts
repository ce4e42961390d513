/**
 * Plausible structured answers for the fake servers, built from what the
 * request says (refs, times, markers), so results pass evidence checks.
 */

type Evidence = { tStart: number; tEnd: number; kind: "screenshot" | "audio" | "marker"; ref: string };

interface ContextRefs {
  durationMs: number;
  screenshot: [string, number][];
  audio: [string, number, number][];
  marker: [string, number][];
}

export function readContext(text: string): ContextRefs {
  const match = /<context>([\s\S]*?)<\/context>/.exec(text);
  const empty: ContextRefs = { durationMs: 0, screenshot: [], audio: [], marker: [] };
  if (match === null) return empty;
  try {
    return { ...empty, ...(JSON.parse(match[1]!) as Partial<ContextRefs>) };
  } catch {
    return empty;
  }
}

const APPS = ["Xcode", "Safari", "Terminal", "Figma", "Slack", "Notes"];
const TRANSCRIPT_LINES = [
  "Okay, let's look at the login flow again.",
  "We need to fix the session timeout before the release.",
  "TODO: write the release notes for version two.",
  "I decided to keep the queue in the engine.",
  "Remember to send the design review to Maria.",
  "The build is green now, moving on to the settings screen.",
];

/** A transcript for one uploaded file: a sentence per ~6 s of audio. */
export function transcriptFor(seconds: number, seed: string): { text: string; segments: { start: number; end: number; text: string }[] } {
  let hash = 0;
  for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const count = Math.max(1, Math.min(20, Math.round(seconds / 6)));
  const step = seconds / count;
  const segments = [];
  for (let i = 0; i < count; i++) {
    segments.push({ start: i * step, end: (i + 1) * step, text: TRANSCRIPT_LINES[(hash + i) % TRANSCRIPT_LINES.length]! });
  }
  return { text: segments.map((s) => s.text).join(" "), segments };
}

function screenshotEvidence(refs: ContextRefs, from: number, to: number, limit: number): Evidence[] {
  return refs.screenshot
    .filter(([, t]) => t >= from && t < to)
    .slice(0, limit)
    .map(([ref, t]) => ({ tStart: t, tEnd: t, kind: "screenshot" as const, ref }));
}

function audioEvidence(refs: ContextRefs, from: number, to: number, limit: number): Evidence[] {
  return refs.audio
    .filter(([, start, end]) => end > from && start < to)
    .slice(0, limit)
    .map(([ref, start, end]) => ({ tStart: start, tEnd: end, kind: "audio" as const, ref }));
}

function anyEvidence(refs: ContextRefs, from: number, to: number): Evidence[] {
  const found = [...audioEvidence(refs, from, to, 1), ...screenshotEvidence(refs, from, to, 2)];
  if (found.length > 0) return found;
  const marker = refs.marker.find(([, t]) => t >= from && t <= to);
  if (marker !== undefined) return [{ tStart: marker[1], tEnd: marker[1], kind: "marker", ref: marker[0] }];
  const first = refs.screenshot[0];
  return first === undefined ? [] : [{ tStart: first[1], tEnd: first[1], kind: "screenshot", ref: first[0] }];
}

function chapterBounds(refs: ContextRefs): [number, number][] {
  const duration = Math.max(1, refs.durationMs);
  const cuts = new Set<number>([0]);
  for (const [, t] of refs.marker) if (t > 0 && t < duration) cuts.add(t);
  const every = Math.max(60_000, duration / 6);
  for (let t = every; t < duration; t += every) cuts.add(Math.round(t));
  const sorted = [...cuts].sort((a, b) => a - b);
  return sorted.map((start, i) => [start, sorted[i + 1] ?? duration]);
}

/** The structured answer for a tool / response format, given the request's text. */
export function respond(tool: string, text: string, options: { readonly badEvidence?: boolean } = {}): unknown {
  if (tool === "report_screenshots") {
    const refs = [...text.matchAll(/(\S+)@(\d+)/g)].map((m) => m[1]!);
    const unique = [...new Set(refs.filter((ref) => !ref.includes("(") && !ref.endsWith(":")))];
    return {
      screenshots: unique.map((ref, i) => ({
        ref,
        activity: i % 2 === 0 ? "Editing code" : "Reviewing a pull request",
        application: APPS[i % APPS.length]!,
        details: `Working on the login flow (${ref}).`,
      })),
    };
  }
  const refs = readContext(text);
  if (tool === "report_chapters") {
    return {
      chapters: chapterBounds(refs).map(([from, to], i) => ({
        title: `Part ${i + 1}: ${i % 2 === 0 ? "Login flow" : "Settings screen"}`,
        summary: "Worked on the feature and reviewed the changes.",
        tStart: from,
        tEnd: to,
        evidence: options.badEvidence === true && i === 0 ? [{ tStart: 1, tEnd: 2, kind: "screenshot", ref: "no-such-shot" }] : anyEvidence(refs, from, to),
      })),
    };
  }
  if (tool === "report_audio_review") {
    return { topics: ["login flow", "release"], keyPoints: [{ text: "The session timeout must be fixed before the release.", evidence: audioEvidence(refs, 0, Number.MAX_SAFE_INTEGER, 1) }] };
  }
  if (tool === "report_summary") {
    const all = Number.MAX_SAFE_INTEGER;
    return {
      title: "Login flow and release preparation",
      summary: "Fixed the login flow, discussed the release and reviewed the settings screen.",
      points: [{ text: "The login flow was reworked.", evidence: anyEvidence(refs, 0, all) }],
      tasks: [
        { title: "Write the release notes for version two", priority: "high", evidence: audioEvidence(refs, 0, all, 1) },
        { title: "Send the design review to Maria", priority: "medium", evidence: options.badEvidence === true ? [{ tStart: 0, tEnd: 1, kind: "audio", ref: "ghost" }] : anyEvidence(refs, 0, all) },
      ],
      notes: [{ text: "Decided to keep the queue in the engine.", evidence: anyEvidence(refs, 0, all) }],
    };
  }
  return {};
}
