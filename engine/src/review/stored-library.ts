import * as z from "zod";
import type { SessionMetadata } from "../domain/index.ts";
import type { Storage } from "../storage/index.ts";
import type { ReviewLibrary } from "./library.ts";
import type { CostLineSchema, EnrichmentState, EvidenceItem, IntegrityReport, SessionDetail, SessionRow, TimelineItem } from "./review-schemas.ts";
import { sortTimeline } from "./timeline.ts";

/** What the review reads from storage (a subset, so tests can pass a memory storage). */
export type ReviewStorage = Pick<Storage, "store" | "sessions" | "attachments">;

// The session feature keeps markers and its integrity report beside the session; read loosely.
const MarkersSchema = z.array(z.looseObject({ id: z.string(), sessionTimeMs: z.number(), note: z.string().optional() }));
const SessionIntegritySchema = z.looseObject({
  status: z.string().optional(),
  interrupted: z.boolean().optional(),
  generatedAt: z.number().optional(),
  sources: z.record(z.string(), z.looseObject({ enabled: z.boolean().optional(), dropped: z.number().optional(), gaps: z.array(z.looseObject({ durationMs: z.number().optional() })).optional() })).optional(),
  warnings: z.array(z.looseObject({ message: z.string().optional() })).optional(),
});

const LedgerEntrySchema = z.looseObject({
  sessionId: z.string(),
  stepId: z.string(),
  costUsd: z.number(),
  usage: z.looseObject({ provider: z.string(), model: z.string().optional() }),
});

function monthsBetween(from: number, to: number): string[] {
  const out: string[] = [];
  const start = new Date(from);
  let y = start.getUTCFullYear();
  let m = start.getUTCMonth();
  const end = new Date(Math.max(from, to));
  while ((y < end.getUTCFullYear() || (y === end.getUTCFullYear() && m <= end.getUTCMonth())) && out.length < 24) {
    out.push(`${y}-${String(m + 1).padStart(2, "0")}`);
    m++;
    if (m === 12) {
      m = 0;
      y++;
    }
  }
  return out;
}

/** Cost per stage and model from the enrichment ledger (one entry per provider call). */
async function costLines(storage: ReviewStorage, metadata: SessionMetadata): Promise<z.infer<typeof CostLineSchema>[]> {
  const lines = new Map<string, z.infer<typeof CostLineSchema>>();
  const until = metadata.enrichmentStatus?.updatedAt ?? metadata.endedAt ?? metadata.startedAt;
  for (const month of monthsBetween(metadata.startedAt, until)) {
    const keys = await storage.store.list(`ledger/${month}/entries/`).catch(() => [] as string[]);
    // Entry ids start with the job id; reading every entry of the month is bounded by the month's calls.
    for (const key of keys) {
      const entry = await storage.store.getJson(key, LedgerEntrySchema).catch(() => undefined);
      if (entry === undefined || entry.sessionId !== metadata.id) continue;
      const stage = entry.stepId.split(/[.:/]/)[0] || entry.stepId;
      const id = `${stage}|${entry.usage.provider}|${entry.usage.model ?? ""}`;
      const line = lines.get(id) ?? { stage, provider: entry.usage.provider, ...(entry.usage.model === undefined ? {} : { model: entry.usage.model }), calls: 0, usd: 0 };
      lines.set(id, { ...line, calls: line.calls + 1, usd: line.usd + entry.costUsd });
    }
  }
  return [...lines.values()];
}

function enrichmentOf(metadata: SessionMetadata): SessionRow["enrichment"] {
  const status = metadata.enrichmentStatus;
  if (status === undefined) return { state: "none", totalCostUsd: 0 };
  const state: EnrichmentState = status.status === "idle" ? "none" : status.status;
  const stages = Object.entries(status.stages);
  const running = stages.find(([, stage]) => stage.status === "running");
  const progress = stages.length === 0 ? undefined : stages.reduce((sum, [, stage]) => sum + (stage.status === "completed" || stage.status === "skipped" ? 1 : (stage.progress ?? 0)), 0) / stages.length;
  return {
    state,
    totalCostUsd: status.totalCost,
    ...(state === "running" && progress !== undefined ? { progress } : {}),
    ...(running !== undefined ? { stage: running[0] } : {}),
    ...(status.lastError !== undefined ? { error: status.lastError } : {}),
  };
}

export function toSessionRow(metadata: SessionMetadata): SessionRow {
  return {
    id: metadata.id,
    name: metadata.name || "Untitled session",
    status: metadata.status,
    startedAt: metadata.startedAt,
    ...(metadata.endedAt === undefined ? {} : { endedAt: metadata.endedAt }),
    durationMs: metadata.activeDurationMs,
    sizeBytes: metadata.sizeBytes,
    tags: metadata.tags,
    enrichment: enrichmentOf(metadata),
    screenshotCount: metadata.screenshots.itemCount,
    audioSegmentCount: metadata.audio.itemCount,
  };
}

function evidenceItem(id: string, text: string, item: { evidence: EvidenceItem["evidence"]; flagged?: boolean | undefined; done?: boolean | undefined }): EvidenceItem {
  return { id, text, evidence: item.evidence, ...(item.flagged === true ? { unresolved: true } : {}), ...(item.done === true ? { done: true } : {}) };
}

/** The review over the stored sessions, summaries, markers and integrity reports. */
export function createStoredLibrary(getStorage: () => ReviewStorage | undefined): ReviewLibrary {
  return {
    kind: "storage",
    async list() {
      const storage = getStorage();
      if (storage === undefined) return [];
      const result = await storage.sessions.listMetadata({});
      return result.sessions.map(toSessionRow);
    },
    async detail(id) {
      const storage = getStorage();
      if (storage === undefined) return undefined;
      const metadata = await storage.sessions.getMetadata(id).catch(() => undefined);
      if (metadata === undefined) return undefined;
      const [screenshots, audio, summary, video, markers, integrity] = await Promise.all([
        storage.sessions.getScreenshots(id),
        storage.sessions.getAudioSegments(id),
        storage.sessions.getSummary(id),
        storage.sessions.getVideo(id),
        storage.store.getJson(`markers/${id}.json`, MarkersSchema).catch(() => undefined),
        storage.store.getJson(`integrity/${id}.json`, SessionIntegritySchema).catch(() => undefined),
      ]);
      const items: TimelineItem[] = [];
      for (const shot of screenshots) {
        items.push({
          kind: "screenshot",
          id: `shot-${shot.sequenceNumber}`,
          ref: String(shot.sequenceNumber),
          t: shot.sessionTimeMs,
          blob: shot.attachmentId,
          width: shot.width,
          height: shot.height,
          isDuplicate: shot.isDuplicate,
          ...(shot.analysis === undefined ? {} : { analysis: shot.analysis.summary, ...(shot.analysis.apps[0] === undefined ? {} : { app: shot.analysis.apps[0] }) }),
        });
      }
      for (const segment of audio) {
        for (const [n, part] of (segment.transcript?.segments ?? []).entries()) {
          items.push({ kind: "transcript", id: `a${segment.sequenceNumber}-${n}`, t: segment.startSessionMs + part.startMs, tEnd: segment.startSessionMs + part.endMs, text: part.text });
        }
        if (segment.transcript !== undefined && segment.transcript.segments.length === 0 && segment.transcript.text.trim() !== "") {
          items.push({ kind: "transcript", id: `a${segment.sequenceNumber}`, t: segment.startSessionMs, tEnd: segment.startSessionMs + segment.durationMs, text: segment.transcript.text });
        }
      }
      for (const marker of markers ?? []) items.push({ kind: "marker", id: marker.id, t: marker.sessionTimeMs, label: marker.note ?? "Marker" });
      for (const [n, chapter] of (summary?.chapters ?? []).entries()) {
        items.push({ kind: "chapter", id: `chapter-${n}`, t: chapter.startMs, tEnd: chapter.endMs, title: chapter.title, ...(chapter.summary === undefined ? {} : { summary: chapter.summary }) });
      }
      const problems: IntegrityReport["problems"] = [];
      if (metadata.status === "interrupted" || integrity?.interrupted === true) problems.push({ kind: "interrupted", message: "The app stopped while recording; what was captured up to then was kept." });
      for (const [source, report] of Object.entries(integrity?.sources ?? {})) {
        if (report.enabled === false) continue;
        if ((report.dropped ?? 0) > 0) problems.push({ kind: `${source}.dropped`, message: `${report.dropped} ${source} items were dropped.` });
        const gaps = report.gaps ?? [];
        if (gaps.length > 0) problems.push({ kind: `${source}.gaps`, message: `${gaps.length} gap(s) in ${source}, ${Math.round(gaps.reduce((s, g) => s + (g.durationMs ?? 0), 0) / 1000)} s in all.` });
      }
      for (const warning of integrity?.warnings ?? []) if (warning.message !== undefined) problems.push({ kind: "warning", message: warning.message });
      if ((metadata.integrity?.storageProblems ?? 0) > 0) problems.push({ kind: "storage", message: `${metadata.integrity?.storageProblems} storage problem(s); run \`stint verify\`.` });
      const row = toSessionRow(metadata);
      const ledger = await costLines(storage, metadata);
      const detail: SessionDetail = {
        session: row,
        timeline: sortTimeline(items),
        ...(summary === undefined
          ? {}
          : { summary: { text: summary.summary, points: summary.points.map((p, n) => evidenceItem(`point-${n}`, p.text, p)), ...(summary.local === true ? { local: true } : {}) } }),
        tasks: (summary?.tasks ?? []).map((task) => evidenceItem(task.id, task.title, task)),
        notes: (summary?.notes ?? []).map((note) => evidenceItem(note.id, note.text, note)),
        cost: { totalUsd: Math.max(row.enrichment.totalCostUsd, ledger.reduce((sum, line) => sum + line.usd, 0)), lines: ledger },
        integrity: { ok: problems.length === 0 && integrity?.status !== "failed", ...(integrity?.generatedAt === undefined ? {} : { checkedAt: integrity.generatedAt }), problems },
        media: {
          ...(video?.merged === undefined ? {} : { video: { blob: video.merged.attachmentId, mimeType: video.merged.mimeType, durationMs: video.durationMs } }),
          audio: audio
            .filter((segment) => segment.durationMs > 0)
            .map((segment, index) => ({ index, t: segment.startSessionMs, durationMs: segment.durationMs, blob: segment.attachmentId, mimeType: "audio/wav" })),
        },
      };
      return detail;
    },
    async readBlob(digest) {
      const storage = getStorage();
      if (storage === undefined) return undefined;
      const attachment = await storage.attachments.getAttachment(digest).catch(() => undefined);
      if (attachment === undefined) return undefined;
      return { bytes: await storage.attachments.loadAttachment(digest), mimeType: attachment.mimeType };
    },
  };
}
