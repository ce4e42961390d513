import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import * as z from "zod";
import { isSessionId } from "../../src/domain/index.ts";
import type { Engine } from "../../src/engine/index.ts";
import type { SessionMetadata, SummaryRecord, VideoRecord } from "../../src/domain/index.ts";
import type { StorageFeature } from "../../src/storage/index.ts";
import { requirePositionals, stringFlag } from "../args.ts";
import { CommandFailure, UsageError, type Command, type CommandContext } from "./command.ts";
import { writeFullExport } from "./export-stream.ts";
import { runVaultExport } from "./vault-export.ts";

/** Version of the full JSON export's shape, so a later import can tell what it reads. */
export const EXPORT_FORMAT_VERSION = 1;

const LooseRecordSchema = z.looseObject({});
const LedgerEntrySchema = z.looseObject({ id: z.string(), jobId: z.string(), sessionId: z.string(), stepId: z.string(), at: z.number(), costUsd: z.number(), usage: z.looseObject({}) });

export function storageOf(engine: Engine): StorageFeature {
  const storage = engine.context.features.get("storage") as StorageFeature | undefined;
  if (storage === undefined) throw new CommandFailure("storage is not available in this engine");
  return storage;
}

/**
 * Resolves a full session id, or a unique prefix of one (what `stint list` prints is long).
 * An id that matches nothing is a failure (exit 1), not a usage error: the command was well formed.
 */
export async function resolveSessionId(storage: StorageFeature, given: string): Promise<string> {
  const wanted = given.trim().toLowerCase();
  if (isSessionId(wanted)) {
    if ((await storage.sessions.getMetadata(wanted)) !== undefined) return wanted;
    throw new CommandFailure(`no session ${given}`, "Run `stint list` to see the sessions.");
  }
  if (/^[0-9a-f-]{4,35}$/.test(wanted)) {
    const { sessions } = await storage.sessions.listMetadata({});
    const matches = sessions.filter((s) => s.id.startsWith(wanted));
    if (matches.length === 1) return matches[0]!.id;
    if (matches.length > 1) throw new CommandFailure(`"${given}" matches ${matches.length} sessions`, "Give more of the id.");
  }
  throw new CommandFailure(`no session ${given}`, "Run `stint list` to see the sessions.");
}

/** What an export holds besides the session's items, read once. */
export interface ExportFrame {
  readonly exportedAt: number;
  readonly metadata: SessionMetadata;
  readonly summary: SummaryRecord | undefined;
  readonly video: VideoRecord | undefined;
  readonly markers: unknown[] | undefined;
  readonly integrity: unknown;
  readonly ledger: z.infer<typeof LedgerEntrySchema>[];
}

export async function loadExportFrame(storage: StorageFeature, sessionId: string, exportedAt: number): Promise<ExportFrame> {
  const metadata = await storage.sessions.getMetadata(sessionId);
  if (metadata === undefined) throw new CommandFailure(`no session ${sessionId}`, "Run `stint list` to see the sessions.");
  const [summary, video, markers, integrity, ledger] = await Promise.all([
    metadata.hasSummary ? storage.sessions.getSummary(sessionId).catch(() => undefined) : undefined,
    metadata.hasVideo ? storage.sessions.getVideo(sessionId).catch(() => undefined) : undefined,
    storage.store.getJson(`markers/${sessionId}.json`, z.array(LooseRecordSchema)).catch(() => undefined),
    storage.store.getJson(`integrity/${sessionId}.json`, LooseRecordSchema).catch(() => undefined),
    ledgerFor(storage, sessionId),
  ]);
  return { exportedAt, metadata, summary, video, markers, integrity, ledger };
}

/** The full export's shape, keys in the order they are written. */
export function assembleExport(frame: ExportFrame, screenshots: readonly unknown[], audioSegments: readonly unknown[], problems: readonly unknown[]) {
  const { metadata, ledger } = frame;
  const byStage = new Map<string, { calls: number; usd: number }>();
  for (const entry of ledger) {
    const stage = entry.stepId.split(".")[0] ?? entry.stepId;
    const line = byStage.get(stage) ?? { calls: 0, usd: 0 };
    line.calls += 1;
    line.usd += entry.costUsd;
    byStage.set(stage, line);
  }
  return {
    format: "stint.session",
    version: EXPORT_FORMAT_VERSION,
    exportedAt: new Date(frame.exportedAt).toISOString(),
    metadata,
    screenshots,
    audioSegments,
    markers: frame.markers ?? [],
    summary: frame.summary ?? null,
    video: frame.video ?? null,
    integrity: { session: frame.integrity ?? null, storage: metadata.integrity ?? null, problems },
    enrichment: metadata.enrichmentStatus ?? null,
    cost: {
      totalUsd: Math.max(metadata.enrichmentStatus?.totalCost ?? 0, ledger.reduce((sum, entry) => sum + entry.costUsd, 0)),
      byStage: Object.fromEntries(byStage),
      ledger,
    },
  };
}

/** The session in full: everything stored for it, for archiving or another tool (held whole; `stint export --out` streams it instead). */
export async function buildFullExport(storage: StorageFeature, sessionId: string, exportedAt: number) {
  const full = await storage.sessions.getFullSession(sessionId);
  if (full === undefined) throw new CommandFailure(`no session ${sessionId}`, "Run `stint list` to see the sessions.");
  const frame = await loadExportFrame(storage, sessionId, exportedAt);
  return assembleExport({ ...frame, metadata: full.metadata, summary: full.summary, video: full.video }, full.screenshots, full.audioSegments, full.problems);
}

async function ledgerFor(storage: StorageFeature, sessionId: string): Promise<z.infer<typeof LedgerEntrySchema>[]> {
  const keys = (await storage.store.list("ledger/")).filter((key) => key.includes("/entries/"));
  const entries: z.infer<typeof LedgerEntrySchema>[] = [];
  for (const key of keys) {
    const entry = await storage.store.getJson(key, LedgerEntrySchema).catch(() => undefined);
    if (entry?.sessionId === sessionId) entries.push(entry);
  }
  return entries.sort((a, b) => a.at - b.at);
}

async function markdownReport(engine: Engine, sessionId: string): Promise<string> {
  const reply = (await engine.handle({ v: 1, id: "export", method: "review.export", params: { id: sessionId, format: "md" } })) as
    | { result?: { text: string }; error?: { code: string; message: string } }
    | undefined;
  if (reply?.error !== undefined) throw new CommandFailure(`could not build the report: ${reply.error.message}`);
  if (reply?.result === undefined) throw new CommandFailure("could not build the report: no answer from the review feature");
  return reply.result.text;
}

/**
 * Writes a file so that a reader never sees half of it: a temp file that `fill`
 * writes through `write` (which returns the bytes written), flush, rename, flush
 * the folder. A failure leaves no temp file and names the file in one line.
 */
export async function writeFileAtomicWith(path: string, fill: (write: (text: string) => number) => void | Promise<void>): Promise<void> {
  const target = resolve(path);
  const folder = dirname(target);
  const temp = join(folder, `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    mkdirSync(folder, { recursive: true });
    const fd = openSync(temp, "w", 0o644);
    try {
      await fill((text) => writeSync(fd, text));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (error) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // The folder itself is unusable; there is no temp file to remove.
    }
    throw writeFailure(path, error);
  }
  flushFolder(folder);
}

/** `writeFileAtomicWith` for text in hand. */
export function writeFileAtomic(path: string, text: string): Promise<void> {
  return writeFileAtomicWith(path, (write) => void write(text));
}

export function writeFailure(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOSPC") return new CommandFailure(`the disk is full writing ${path}`, "Free some space and try again.");
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") return new CommandFailure(`cannot write ${path} (${code})`, "Choose a writable place with --out.");
  if (code === "ENOTDIR" || code === "EISDIR" || code === "ENOENT" || code === "EEXIST") return new CommandFailure(`cannot write ${path} (${code})`, "Check the path given to --out.");
  return error;
}

export function flushFolder(folder: string): void {
  try {
    const dir = openSync(folder, "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Some file systems refuse to flush a directory; the rename itself already happened.
  }
}

async function runExport(context: CommandContext): Promise<number> {
  if (context.args.flags.all === true) return runVaultExport(context);
  const [given] = requirePositionals(context.args, ["id"]);
  const format = stringFlag(context.args, "format") ?? "md";
  if (format !== "md" && format !== "json") throw new UsageError(`--format must be md or json, not "${format}"`);
  const outPath = stringFlag(context.args, "out");
  if (context.args.flags.out === true || outPath === "") throw new UsageError("--out needs a file name");
  const engine = await context.openEngine();
  const storage = storageOf(engine);
  const sessionId = await resolveSessionId(storage, given!);
  const now = engine.context.host.clock.now();
  if (format === "json" && outPath !== undefined) {
    // Page by page into the file, with progress: a session of 100,000 screenshots is never held whole.
    const progress = (done: number, total: number) => context.out.progress({ stage: "exporting", fraction: total === 0 ? 1 : done / total, detail: `${done} of ${total} items` });
    const { bytes } = await writeFullExport(storage, sessionId, now, outPath, progress);
    context.out.endProgress();
    context.out.line(`Exported ${sessionId} as JSON to ${outPath} (${bytes} bytes).`);
    context.out.json({ sessionId, format, out: resolve(outPath), bytes });
    return 0;
  }
  const full = format === "json" ? await buildFullExport(storage, sessionId, now) : undefined;
  const text = full === undefined ? await markdownReport(engine, sessionId) : `${JSON.stringify(full, null, 2)}\n`;
  if (outPath === undefined) {
    // With --json and no --out, stdout carries one JSON line: the export itself, or the report inside an object.
    if (context.json) context.out.json(full ?? { sessionId, format, text });
    else context.out.line(text.replace(/\n$/, ""));
    return 0;
  }
  await writeFileAtomic(outPath, text);
  context.out.line(`Exported ${sessionId} as ${format === "md" ? "Markdown" : "JSON"} to ${outPath} (${Buffer.byteLength(text)} bytes).`);
  context.out.json({ sessionId, format, out: resolve(outPath), bytes: Buffer.byteLength(text) });
  return 0;
}

export const exportCommand: Command = {
  name: "export",
  summary: "Write a session as a Markdown report or as full JSON",
  usage: "stint export <id> [--format md|json] [--out FILE] [--json]   |   stint export --all --format md --to FOLDER",
  flags: {
    format: { type: "string", description: "md (a readable report, default) or json (everything stored)", short: "f" },
    out: { type: "string", description: "Write to this file (atomically) instead of stdout; JSON is written page by page with progress", short: "o" },
    all: { type: "boolean", description: "every session, one Markdown note each, into the folder given by --to (a notes vault)" },
    to: { type: "string", description: "with --all: the folder to keep the notes in" },
  },
  run: runExport,
};
