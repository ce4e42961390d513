import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import * as z from "zod";
import { isSessionId } from "../../src/domain/index.ts";
import type { Engine } from "../../src/engine/index.ts";
import type { StorageFeature } from "../../src/storage/index.ts";
import { requirePositionals, stringFlag } from "../args.ts";
import { CommandFailure, UsageError, type Command, type CommandContext } from "./command.ts";
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

/** The session in full: everything stored for it, for archiving or another tool. */
export async function buildFullExport(storage: StorageFeature, sessionId: string, exportedAt: number) {
  const full = await storage.sessions.getFullSession(sessionId);
  if (full === undefined) throw new CommandFailure(`no session ${sessionId}`, "Run `stint list` to see the sessions.");
  const [markers, integrity, ledger] = await Promise.all([
    storage.store.getJson(`markers/${sessionId}.json`, z.array(LooseRecordSchema)).catch(() => undefined),
    storage.store.getJson(`integrity/${sessionId}.json`, LooseRecordSchema).catch(() => undefined),
    ledgerFor(storage, sessionId),
  ]);
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
    exportedAt: new Date(exportedAt).toISOString(),
    metadata: full.metadata,
    screenshots: full.screenshots,
    audioSegments: full.audioSegments,
    markers: markers ?? [],
    summary: full.summary ?? null,
    video: full.video ?? null,
    integrity: { session: integrity ?? null, storage: full.metadata.integrity ?? null, problems: full.problems },
    enrichment: full.metadata.enrichmentStatus ?? null,
    cost: {
      totalUsd: Math.max(full.metadata.enrichmentStatus?.totalCost ?? 0, ledger.reduce((sum, entry) => sum + entry.costUsd, 0)),
      byStage: Object.fromEntries(byStage),
      ledger,
    },
  };
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

/** Writes a file so that a reader never sees half of it: temp file, flush, rename, flush the folder. */
export function writeFileAtomic(path: string, text: string): void {
  const target = resolve(path);
  const folder = dirname(target);
  const temp = join(folder, `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    mkdirSync(folder, { recursive: true });
    const fd = openSync(temp, "w", 0o644);
    try {
      writeSync(fd, text);
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
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOSPC") throw new CommandFailure(`the disk is full writing ${path}`, "Free some space and try again.");
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") throw new CommandFailure(`cannot write ${path} (${code})`, "Choose a writable place with --out.");
    if (code === "ENOTDIR" || code === "EISDIR" || code === "ENOENT" || code === "EEXIST") throw new CommandFailure(`cannot write ${path} (${code})`, "Check the path given to --out.");
    throw error;
  }
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
  const full = format === "json" ? await buildFullExport(storage, sessionId, now) : undefined;
  const text = full === undefined ? await markdownReport(engine, sessionId) : `${JSON.stringify(full, null, 2)}\n`;
  if (outPath === undefined) {
    // With --json and no --out, stdout carries one JSON line: the export itself, or the report inside an object.
    if (context.json) context.out.json(full ?? { sessionId, format, text });
    else context.out.line(text.replace(/\n$/, ""));
    return 0;
  }
  writeFileAtomic(outPath, text);
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
    out: { type: "string", description: "Write to this file (atomically) instead of stdout", short: "o" },
    all: { type: "boolean", description: "every session, one Markdown note each, into the folder given by --to (a notes vault)" },
    to: { type: "string", description: "with --all: the folder to keep the notes in" },
  },
  run: runExport,
};
