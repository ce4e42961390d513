import { utf8Encode } from "../host/index.ts";
import type { ReviewLibrary } from "./library.ts";
import type { EvidenceItem, SessionDetail, SessionRow, TimelineItem } from "./review-schemas.ts";
import { sortTimeline } from "./timeline.ts";

/**
 * A generated library for the demo, the browser tests and the benchmarks.
 * It lives in memory, says it is a demo, and never writes to storage.
 * Nothing in it is in progress: a demo job would never finish.
 * Its blob digests name the generator's input (a hex-encoded descriptor),
 * not the bytes: the bytes are produced on request.
 */

const SCREENSHOT_INTERVAL_MS = 5_000;
const AUDIO_SEGMENT_MS = 30_000;
const TRANSCRIPT_MS = 15_000;
const APPS = ["Xcode", "Safari", "Terminal", "Figma", "Slack", "Notes", "Mail", "Linear"];
const WORDS = ["refactor", "the parser", "review", "pull request", "timeline", "benchmark", "crash", "storage", "deploy", "design", "fix", "tests", "meeting", "budget", "release"];

interface DemoSpec {
  readonly id: string;
  readonly name: string;
  readonly hoursAgo: number;
  readonly durationMs: number;
  readonly status: SessionRow["status"];
  readonly tags: string[];
  readonly enrichment: SessionRow["enrichment"]["state"];
  readonly transcriptEveryMs?: number;
}

const SPECS: readonly DemoSpec[] = [
  { id: "demo-standup", name: "Morning standup notes", hoursAgo: 2, durationMs: 14 * 60_000, status: "completed", tags: ["meeting", "team"], enrichment: "completed" },
  { id: "demo-parser", name: "Parser refactor", hoursAgo: 5, durationMs: 52 * 60_000, status: "completed", tags: ["code", "parser"], enrichment: "completed" },
  { id: "demo-long-day", name: "Long day: release prep (8 h)", hoursAgo: 26, durationMs: 8 * 3_600_000, status: "completed", tags: ["release"], enrichment: "completed" },
  { id: "demo-design", name: "Design review", hoursAgo: 30, durationMs: 38 * 60_000, status: "completed", tags: ["design", "meeting"], enrichment: "cancelled" },
  { id: "demo-crash", name: "Investigating the crash", hoursAgo: 50, durationMs: 21 * 60_000, status: "interrupted", tags: ["bug"], enrichment: "failed" },
  { id: "demo-budget", name: "Budget spreadsheet", hoursAgo: 75, durationMs: 9 * 60_000, status: "completed", tags: ["finance"], enrichment: "none" },
  { id: "demo-stress", name: "Timeline stress (10,000 items)", hoursAgo: 200, durationMs: 10_000 * 2_000, status: "completed", tags: ["bench"], enrichment: "completed", transcriptEveryMs: 1e12 },
];

/** A 64-hex digest that encodes kind, session and index (demo only). */
function demoDigest(kind: number, session: number, index: number): string {
  return `de${kind.toString(16).padStart(2, "0")}${session.toString(16).padStart(4, "0")}${index.toString(16).padStart(8, "0")}`.padEnd(64, "0");
}

function parseDemoDigest(digest: string): { kind: number; session: number; index: number } | undefined {
  if (!/^de[0-9a-f]{14}0{48}$/.test(digest)) return undefined;
  return { kind: Number.parseInt(digest.slice(2, 4), 16), session: Number.parseInt(digest.slice(4, 8), 16), index: Number.parseInt(digest.slice(8, 16), 16) };
}

function words(seed: number, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(WORDS[(seed * 7 + i * 13) % WORDS.length] as string);
  return out.join(" ");
}

function screenshotSvg(session: number, index: number): Uint8Array {
  const hue = (session * 47 + Math.floor(index / 12) * 23) % 360;
  const app = APPS[(index >> 4) % APPS.length] as string;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200" viewBox="0 0 320 200"><rect width="320" height="200" fill="hsl(${hue},45%,32%)"/><rect x="12" y="12" width="296" height="22" rx="4" fill="hsl(${hue},30%,85%)"/><text x="20" y="28" font-family="sans-serif" font-size="13" fill="#222">${app}</text><rect x="12" y="44" width="${80 + ((index * 37) % 200)}" height="10" rx="3" fill="#fff8"/><rect x="12" y="62" width="${60 + ((index * 53) % 220)}" height="10" rx="3" fill="#fff6"/><text x="20" y="180" font-family="monospace" font-size="14" fill="#fff">#${index}</text></svg>`;
  return utf8Encode(svg);
}

/** A quiet tone so a played segment is audible and distinct from silence. */
function toneWav(session: number, index: number, durationMs: number): Uint8Array {
  const rate = 8_000;
  const frames = Math.round((rate * durationMs) / 1000);
  const bytes = new Uint8Array(44 + frames * 2);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + frames * 2, true);
  ascii(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, frames * 2, true);
  const freq = 220 + ((session * 31 + index * 17) % 220);
  for (let i = 0; i < frames; i++) view.setInt16(44 + i * 2, Math.round(Math.sin((2 * Math.PI * freq * i) / rate) * 1200), true);
  return bytes;
}

function evidenceItem(id: string, text: string, screenshotIndex: number, sessionNo: number): EvidenceItem {
  const t = screenshotIndex * SCREENSHOT_INTERVAL_MS;
  return { id, text, evidence: [{ tStart: t, tEnd: t + SCREENSHOT_INTERVAL_MS, kind: "screenshot", ref: String(screenshotIndex) }] };
}

function buildDetail(spec: DemoSpec, sessionNo: number, row: SessionRow): SessionDetail {
  const shots = Math.floor(spec.durationMs / (spec.id === "demo-stress" ? 2_000 : SCREENSHOT_INTERVAL_MS));
  const step = spec.id === "demo-stress" ? 2_000 : SCREENSHOT_INTERVAL_MS;
  const items: TimelineItem[] = [];
  for (let i = 0; i < shots; i++) {
    items.push({
      kind: "screenshot",
      id: `s${sessionNo}-${i}`,
      ref: String(i),
      t: i * step,
      blob: demoDigest(1, sessionNo, i),
      mimeType: "image/svg+xml",
      width: 320,
      height: 200,
      app: APPS[(i >> 4) % APPS.length] as string,
      analysis: `${APPS[(i >> 4) % APPS.length]}: ${words(sessionNo + i, 4)}`,
      // Runs of unchanged screens, as when reading or waiting: 12 of every 16.
      isDuplicate: i % 16 >= 4,
    });
  }
  const transcriptEvery = spec.transcriptEveryMs ?? TRANSCRIPT_MS;
  for (let t = 0, n = 0; t < spec.durationMs; t += transcriptEvery, n++) {
    items.push({ kind: "transcript", id: `t${sessionNo}-${n}`, t: t + 1_000, tEnd: Math.min(spec.durationMs, t + transcriptEvery), text: `So the next step is to ${words(sessionNo * 3 + n, 6)}.`, speaker: n % 3 === 0 ? "Me" : undefined });
  }
  const chapterCount = Math.max(1, Math.min(12, Math.floor(spec.durationMs / 600_000)));
  const chapterLen = spec.durationMs / chapterCount;
  for (let c = 0; c < chapterCount; c++) {
    items.push({ kind: "chapter", id: `c${sessionNo}-${c}`, t: Math.round(c * chapterLen), tEnd: Math.round((c + 1) * chapterLen), title: `Chapter ${c + 1}: ${words(c + sessionNo, 2)}` });
  }
  const markerEvery = Math.max(120_000, spec.durationMs / 6);
  for (let t = markerEvery / 2, m = 0; t < spec.durationMs; t += markerEvery, m++) {
    items.push({ kind: "marker", id: `m${sessionNo}-${m}`, t: Math.round(t), label: `Marker ${m + 1}` });
  }
  const last = Math.max(0, shots - 1);
  const pick = (fraction: number) => Math.min(last, Math.floor(last * fraction));
  const enriched = spec.enrichment === "completed";
  const audio = spec.id === "demo-stress" ? [] : Array.from({ length: Math.ceil(spec.durationMs / AUDIO_SEGMENT_MS) }, (_, index) => ({
    index,
    t: index * AUDIO_SEGMENT_MS,
    durationMs: Math.min(AUDIO_SEGMENT_MS, spec.durationMs - index * AUDIO_SEGMENT_MS),
    blob: demoDigest(2, sessionNo, index),
    mimeType: "audio/wav",
  }));
  const costLines = enriched
    ? [
        { stage: "transcript", provider: "local", calls: audio.length, usd: 0 },
        { stage: "screenshots", provider: "anthropic", model: "haiku-class", calls: Math.ceil(shots / 20), usd: Math.round(shots * 0.00009 * 1e4) / 1e4 },
        { stage: "summary", provider: "anthropic", model: "sonnet-class", calls: 1, usd: 0.012 },
      ]
    : [];
  return {
    session: row,
    timeline: sortTimeline(items),
    summary: enriched
      ? {
          text: `${spec.name}: mostly ${words(sessionNo, 3)}, with a detour into ${words(sessionNo + 5, 2)}.`,
          points: [evidenceItem(`p${sessionNo}-0`, "Set up the work and opened the relevant files", pick(0.05), sessionNo), evidenceItem(`p${sessionNo}-1`, "Found the cause and wrote a fix", pick(0.5), sessionNo), evidenceItem(`p${sessionNo}-2`, "Ran the tests and wrapped up", pick(0.93), sessionNo)],
        }
      : undefined,
    tasks: enriched ? [evidenceItem(`k${sessionNo}-0`, "Follow up on the open review comments", pick(0.3), sessionNo), { ...evidenceItem(`k${sessionNo}-1`, "Write the release note", pick(0.75), sessionNo), done: true }] : [],
    notes: enriched ? [evidenceItem(`n${sessionNo}-0`, "The slow path was the JSON rewrite on every append", pick(0.62), sessionNo)] : [],
    cost: { totalUsd: costLines.reduce((sum, line) => sum + line.usd, 0), lines: costLines },
    integrity: spec.status === "interrupted" ? { ok: false, problems: [{ kind: "interrupted", message: "The app stopped while recording; everything captured up to 0:21:00 was kept." }] } : { ok: true, problems: [] },
    media: { audio },
  };
}

/** Creates the demo library, its sessions placed relative to `now` (epoch ms). */
export function createDemoLibrary(now: number): ReviewLibrary {
  const rows = SPECS.map((spec, index): SessionRow => {
    const shots = Math.floor(spec.durationMs / (spec.id === "demo-stress" ? 2_000 : SCREENSHOT_INTERVAL_MS));
    const audio = spec.id === "demo-stress" ? 0 : Math.ceil(spec.durationMs / AUDIO_SEGMENT_MS);
    const startedAt = now - spec.hoursAgo * 3_600_000;
    const cost = spec.enrichment === "completed" ? Math.round(shots * 0.00009 * 1e4) / 1e4 + 0.012 : 0;
    return {
      id: spec.id,
      name: spec.name,
      status: spec.status,
      startedAt,
      endedAt: startedAt + spec.durationMs,
      durationMs: spec.durationMs,
      sizeBytes: shots * 180_000 + audio * 480_044,
      tags: spec.tags,
      enrichment: {
        state: spec.enrichment,
        totalCostUsd: cost,
        ...(spec.enrichment === "failed" ? { error: "The provider refused the request (spend limit reached)." } : {}),
      },
      screenshotCount: shots,
      audioSegmentCount: audio,
    };
  });
  const cache = new Map<string, SessionDetail>();
  return {
    kind: "demo",
    async list() {
      return rows;
    },
    async detail(id) {
      const index = SPECS.findIndex((spec) => spec.id === id);
      if (index < 0) return undefined;
      let detail = cache.get(id);
      if (detail === undefined) {
        detail = buildDetail(SPECS[index] as DemoSpec, index, rows[index] as SessionRow);
        // Keep only a couple of big details alive.
        if (cache.size >= 2) cache.delete(cache.keys().next().value as string);
        cache.set(id, detail);
      }
      return detail;
    },
    async readBlob(digest) {
      const parsed = parseDemoDigest(digest);
      const spec = parsed === undefined ? undefined : SPECS[parsed.session];
      if (parsed === undefined || spec === undefined) return undefined;
      if (parsed.kind === 1) return { bytes: screenshotSvg(parsed.session, parsed.index), mimeType: "image/svg+xml" };
      if (parsed.kind === 2) {
        const durationMs = Math.min(AUDIO_SEGMENT_MS, spec.durationMs - parsed.index * AUDIO_SEGMENT_MS);
        if (durationMs <= 0) return undefined;
        return { bytes: toneWav(parsed.session, parsed.index, durationMs), mimeType: "audio/wav" };
      }
      return undefined;
    },
  };
}
