import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import * as z from "zod";
import { SESSION_SCHEMA_VERSION } from "../../src/domain/index.ts";
import type { Engine } from "../../src/engine/index.ts";
import { hammingDistance } from "../../src/image/index.ts";
import { HealthThresholdsSchema } from "../../src/session/index.ts";
import { recoverUnfinishedImports, type SessionImportReport, type StorageFeature } from "../../src/storage/index.ts";
import { parseDuration, stringFlag } from "../args.ts";
import { CommandFailure, UsageError, type Command, type CommandContext } from "./command.ts";
import { storageOf } from "./export.ts";
import { readMediaFolder, type ImportedAudio, type ImportedFile, type ImportedImage } from "./import-media.ts";
import { importTaskerino } from "./import-taskerino.ts";

/**
 * While an import writes, `imports/pending/{sessionId}.json` says so. A
 * session is only complete once that record is gone: an import that failed
 * (or was killed) is removed by the next `stint import`, so no half-imported
 * session stays behind.
 */
const PENDING_PREFIX = "imports/pending/";

/** The session feature's own duplicate threshold, so an import dedups exactly as a recording does. */
const DUPLICATE_DISTANCE = HealthThresholdsSchema.parse({}).duplicateDistance;

export interface ImportResult {
  readonly sessionId: string;
  readonly screenshots: number;
  readonly audioSegments: number;
  readonly duplicates: number;
}

/** Marks near-identical consecutive screenshots as the session feature does: against the last kept one. */
export function markDuplicates(hashes: readonly (string | undefined)[]): (number | undefined)[] {
  let lastKept: { hash: string; index: number } | undefined;
  return hashes.map((hash, index) => {
    if (hash === undefined) return undefined;
    if (lastKept !== undefined && hammingDistance(hash, lastKept.hash) <= DUPLICATE_DISTANCE) return lastKept.index;
    lastKept = { hash, index };
    return undefined;
  });
}

/** Rolls back sessions whose import never finished (failed, or the process was killed), with the blobs they brought. */
export async function removeUnfinishedImports(storage: StorageFeature): Promise<number> {
  return recoverUnfinishedImports(storage);
}

interface Timing {
  readonly startedAt: number;
  readonly shotTimes: number[];
  readonly audioStarts: number[];
  readonly durationMs: number;
}

/** Session times: by file time when asked, else screenshots every `intervalMs` and audio back to back. */
function planTiming(images: readonly ImportedImage[], audio: readonly ImportedAudio[], order: "name" | "time", intervalMs: number): Timing {
  if (order === "time") {
    // A WAV file's time is when it was finished: its audio began a duration earlier.
    const starts = [...images.map((i) => i.modifiedAt), ...audio.map((a) => a.modifiedAt - a.durationMs)];
    const startedAt = Math.max(0, Math.min(...starts));
    const shotTimes = images.map((i) => i.modifiedAt - startedAt);
    const audioStarts = audio.map((a) => Math.max(0, a.modifiedAt - a.durationMs - startedAt));
    const end = Math.max(0, ...shotTimes, ...audio.map((a, n) => audioStarts[n]! + a.durationMs));
    return { startedAt, shotTimes, audioStarts, durationMs: end };
  }
  const startedAt = Math.min(...[...images, ...audio].map((f) => f.modifiedAt));
  const shotTimes = images.map((_, n) => n * intervalMs);
  const audioStarts: number[] = [];
  let at = 0;
  for (const segment of audio) {
    audioStarts.push(at);
    at += segment.durationMs;
  }
  return { startedAt, shotTimes, audioStarts, durationMs: Math.max(images.length * intervalMs, at) };
}

/** Stores a folder's files as one completed session. Everything is read and checked before the first write. */
export async function importFolder(
  storage: StorageFeature,
  engine: Engine,
  options: { readonly folder: string; readonly name?: string; readonly order: "name" | "time"; readonly intervalMs: number; readonly progress?: (stage: string, fraction: number, detail?: string) => void },
): Promise<ImportResult> {
  const files: ImportedFile[] = readMediaFolder(options.folder, options.order, (index, total, name) => options.progress?.("reading", index / total, name));
  options.progress?.("reading", 1, `${files.length} files`);
  const images = files.filter((f): f is ImportedImage => f.kind === "image");
  const audio = files.filter((f): f is ImportedAudio => f.kind === "audio");
  const timing = planTiming(images, audio, options.order, options.intervalMs);
  const duplicateOf = markDuplicates(images.map((i) => i.perceptualHash));
  const host = engine.context.host;
  const sessionId = host.crypto.randomUUID();
  const pendingKey = `${PENDING_PREFIX}${sessionId}.json`;
  await storage.store.putJson(pendingKey, { sessionId, folder: resolve(options.folder), at: host.clock.now() }, { priority: "critical" });
  try {
    const duplicates = duplicateOf.filter((d) => d !== undefined).length;
    await storage.sessions.saveMetadata({
      schemaVersion: SESSION_SCHEMA_VERSION,
      id: sessionId,
      name: options.name ?? basename(resolve(options.folder)),
      status: "completed",
      startedAt: timing.startedAt,
      endedAt: timing.startedAt + timing.durationMs,
      activeDurationMs: timing.durationMs,
      recordingConfig: {
        screenshots: { enabled: images.length > 0, intervalMs: Math.max(1, options.intervalMs) },
        audio: { microphone: audio.length > 0, systemAudio: false },
        video: { enabled: false },
      },
      tags: ["imported"],
      integrity: { checkedAt: host.clock.now(), itemsPerSource: { screenshots: images.length, audio: audio.length }, droppedItems: 0, duplicates, warnings: [] },
    });
    const total = files.length;
    let done = 0;
    for (const [n, image] of images.entries()) {
      const bytes = new Uint8Array(readFileSync(image.path));
      const attachment = await storage.attachments.saveAttachment(bytes, { type: "screenshot", mimeType: image.mimeType, width: image.width, height: image.height }, { sessionId });
      const original = duplicateOf[n];
      await storage.sessions.appendScreenshot(sessionId, {
        sequenceNumber: n,
        capturedAt: timing.startedAt + timing.shotTimes[n]!,
        sessionTimeMs: timing.shotTimes[n]!,
        attachmentId: attachment.id,
        width: image.width,
        height: image.height,
        ...(image.perceptualHash === undefined ? {} : { perceptualHash: image.perceptualHash }),
        isDuplicate: original !== undefined,
        ...(original === undefined ? {} : { duplicateOf: original }),
        sourceId: image.name,
      });
      options.progress?.("importing", ++done / total, image.name);
    }
    for (const [n, segment] of audio.entries()) {
      const bytes = new Uint8Array(readFileSync(segment.path));
      const attachment = await storage.attachments.saveAttachment(bytes, { type: "audio", mimeType: "audio/wav", durationMs: segment.durationMs }, { sessionId });
      await storage.sessions.appendAudioSegment(sessionId, {
        sequenceNumber: n,
        attachmentId: attachment.id,
        capturedAt: timing.startedAt + timing.audioStarts[n]!,
        startSessionMs: timing.audioStarts[n]!,
        durationMs: segment.durationMs,
        sampleRate: segment.sampleRate,
        channels: segment.channels,
      });
      options.progress?.("importing", ++done / total, segment.name);
    }
    await storage.store.delete(pendingKey, { priority: "critical" });
    return { sessionId, screenshots: images.length, audioSegments: audio.length, duplicates };
  } catch (error) {
    // Best effort now; if the disk refuses even that, the pending record makes the next import finish the job.
    try {
      await storage.sessions.deleteSession(sessionId);
      await storage.store.delete(pendingKey, { priority: "critical" });
    } catch {
      // Left for the next run.
    }
    throw error;
  }
}

/** One line per session: what happened, what came over, and what did not. */
function describeSession(s: SessionImportReport): string {
  const name = JSON.stringify(s.name).slice(0, 80);
  if (s.outcome === "skipped") return `${s.oldId} ${name}: skipped, ${s.reason ?? ""}${s.collision === undefined ? "" : ` (${s.collision})`}`;
  if (s.outcome === "unchanged" || s.outcome === "kept-deleted") return `${s.oldId} ${name}: ${s.outcome === "unchanged" ? "unchanged" : s.reason} (${s.sessionId})`;
  const missing = s.mediaMissing.screenshots + s.mediaMissing.audio + s.mediaMissing.video;
  const bits = [`${s.screenshots} screenshots`, `${s.audioSegments} audio segments${s.converted > 0 ? ` (${s.converted} from MP3)` : ""}`, `${s.markers} markers`];
  if (s.summary) bits.push("summary");
  if (s.video) bits.push("video");
  if (missing > 0) bits.push(`${missing} item(s) kept without media`);
  if (s.notImported.length > 0) bits.push(`not brought over: ${s.notImported.map((n) => `${n.field} ×${n.count}`).join(", ")}`);
  return `${s.oldId} ${name}: ${s.outcome} as ${s.sessionId}${s.collision === undefined ? "" : ` (${s.collision})`}; ${bits.join(", ")}`;
}

function parseOrder(value: string | undefined): "name" | "time" {
  if (value === undefined || value === "name") return "name";
  if (value === "time") return "time";
  throw new UsageError(`--order must be name or time, not "${value}"`);
}

async function runImport(context: CommandContext): Promise<number> {
  const { args, out } = context;
  const taskerino = stringFlag(args, "taskerino");
  if (args.flags.taskerino === true) throw new UsageError("--taskerino needs the previous app's data folder, a backup or an exported session");
  const order = parseOrder(stringFlag(args, "order"));
  const intervalMs = parseDuration(stringFlag(args, "interval") ?? "5s", "interval");
  if (intervalMs <= 0) throw new UsageError("--interval must be longer than zero");
  const name = stringFlag(args, "name");
  if (name !== undefined && (name.trim() === "" || name.length > 500)) throw new UsageError("--name must be 1 to 500 characters");
  if (taskerino !== undefined) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}" (--taskerino takes the file)`);
    if (args.flags.order !== undefined || args.flags.interval !== undefined) throw new UsageError("--order and --interval apply to folder imports only");
  } else if (args.positionals.length !== 1) {
    throw new UsageError(args.positionals.length === 0 ? "missing <folder>" : `unexpected argument "${args.positionals[1]}"`);
  }
  const engine = await context.openEngine();
  const storage = storageOf(engine);
  const cleaned = await removeUnfinishedImports(storage);
  if (cleaned > 0) out.notice(`Removed ${cleaned} session(s) left by an import that did not finish.`);
  const progress = (stage: string, fraction: number, detail?: string) => out.progress({ stage, fraction, ...(detail === undefined ? {} : { detail }) });

  if (taskerino !== undefined) {
    const result = await importTaskerino(storage, engine, { path: taskerino, progress, detected: (d) => out.notice(`Found ${d}.`) });
    out.endProgress();
    const count = (outcome: SessionImportReport["outcome"]) => result.sessions.filter((s) => s.outcome === outcome).length;
    const parts = [`${count("imported")} imported`, `${count("updated")} updated`, `${count("unchanged")} unchanged`];
    if (count("skipped") > 0) parts.push(`${count("skipped")} skipped`);
    if (count("kept-deleted") > 0) parts.push(`${count("kept-deleted")} deleted here earlier and not brought back`);
    out.line(`${result.detected}: ${parts.join(", ")}.`);
    for (const s of result.sessions) out.line(`  ${describeSession(s)}`);
    for (const problem of result.problems) out.line(`  problem: ${problem}`);
    out.json(result);
    return result.sessions.some((s) => s.outcome === "skipped") ? 1 : 0;
  }

  const folder = args.positionals[0]!;
  const result = await importFolder(storage, engine, { folder, ...(name === undefined ? {} : { name }), order, intervalMs, progress });
  out.endProgress();
  out.line(`Imported ${result.screenshots} screenshots (${result.duplicates} duplicates) and ${result.audioSegments} audio segments from ${folder} as session ${result.sessionId}.`);
  out.json({ sessionId: result.sessionId, screenshots: result.screenshots, audioSegments: result.audioSegments });
  return 0;
}

export const importCommand: Command = {
  name: "import",
  summary: "Make a completed session from a folder of screenshots and WAV segments, or import a previous app's export",
  usage: "stint import <folder> [--name N] [--order name|time] [--interval 5s] [--json] | stint import --taskerino <data folder | backup.json | export.json | folder of exports>",
  flags: {
    name: { type: "string", description: "Session name (default: the folder's name)" },
    order: { type: "string", description: "Order files by name (default) or by modification time" },
    interval: { type: "string", description: "Time between screenshots when ordered by name (default 5s)" },
    taskerino: { type: "string", description: "Import the previous app's sessions: its data folder, a backup, an exported session or a folder of them" },
  },
  run: runImport,
};
