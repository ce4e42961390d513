import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as z from "zod";
import { OWNER_LOCK_PATH } from "../src/storage/index.ts";
import { locksAvailable, type NodeHeldLock, tryLockFile } from "./node-lock.ts";

/** Who owns a data folder and how to reach it: `owner.json`, readable only by the user (0600). */
export const OWNER_FILE = "owner.json";

export const OwnerRecordSchema = z.object({
  v: z.literal(1),
  pid: z.number().int().positive(),
  /** What owns it: "stint serve", "stint record", "Stint.app", … */
  app: z.string().min(1).max(200),
  /** "server" takes forwarded commands at `url` once it is set; "app" and "command" do not. */
  kind: z.enum(["server", "app", "command"]),
  startedAt: z.number(),
  /** The owner's loopback API (servers, once listening). */
  url: z.string().max(500).optional(),
  /** The API's token; the file is 0600 so only the user can read it. */
  token: z.string().max(500).optional(),
});
export type OwnerRecord = z.infer<typeof OwnerRecordSchema>;

/** Reads `owner.json`; undefined when missing or unreadable. */
export function readOwnerRecord(dataDir: string): OwnerRecord | undefined {
  try {
    const parsed = OwnerRecordSchema.safeParse(JSON.parse(readFileSync(join(dataDir, OWNER_FILE), "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** True when a process with this pid exists (EPERM: it exists but is not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

/** Ownership of a data folder, held by this process. */
export interface FolderLease {
  readonly record: OwnerRecord;
  /** Rewrites `owner.json` (a server adds its url and token once it listens). */
  publish(extra: Pick<OwnerRecord, "url" | "token">): void;
  /** Removes `owner.json`, then gives the lock up. */
  release(): Promise<void>;
}

function writeRecord(dataDir: string, record: OwnerRecord): void {
  const target = join(dataDir, OWNER_FILE);
  const temp = `${target}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  renameSync(temp, target);
}

/**
 * Takes the data folder's owner lock for this process and publishes who holds
 * it. Undefined when another process holds it. The kernel lock (flock) is the
 * truth; `owner.json` only says who to talk to, so a file left by a killed
 * owner is simply rewritten by the next one.
 */
export function claimFolder(dataDir: string, owner: Pick<OwnerRecord, "app" | "kind">, now: number = Date.now()): FolderLease | undefined {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lock: NodeHeldLock | undefined = tryLockFile(join(dataDir, OWNER_LOCK_PATH));
  if (lock === undefined) return undefined;
  let record: OwnerRecord = { v: 1, pid: process.pid, app: owner.app, kind: owner.kind, startedAt: now };
  try {
    writeRecord(dataDir, record);
  } catch {
    // A read-only or full data folder: the lock still excludes other writers; nobody can be told where we are.
  }
  let released = false;
  return {
    get record() {
      return record;
    },
    publish(extra) {
      record = { ...record, ...extra };
      writeRecord(dataDir, record);
    },
    async release() {
      if (released) return;
      released = true;
      try {
        if (readOwnerRecord(dataDir)?.pid === process.pid) rmSync(join(dataDir, OWNER_FILE), { force: true });
      } finally {
        await lock.release();
      }
    },
  };
}

/** What a `stint` command does about the data folder's owner. */
export type OwnerDecision =
  | { readonly mode: "own"; readonly lease: FolderLease }
  | { readonly mode: "forward"; readonly owner: OwnerRecord & { url: string; token: string } }
  | { readonly mode: "read-only"; readonly owner: OwnerRecord | undefined }
  | { readonly mode: "refuse"; readonly owner: OwnerRecord | undefined; readonly message: string }
  | { readonly mode: "unlocked" };

export interface DecideOptions {
  readonly app: string;
  readonly kind: OwnerRecord["kind"];
  /** Commands that only read (list, show, export, verify): allowed read-only beside an owner that takes no forwarded work. */
  readonly readOnly: boolean;
  /** Serve and other owners-for-life never forward to another owner. */
  readonly forwardable: boolean;
  /** How long to wait for a short command or a starting server to finish or publish its address. */
  readonly waitMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** One line naming the owner, for refusals. */
export function describeOwner(owner: OwnerRecord | undefined): string {
  if (owner === undefined) return "another process owns this data folder";
  if (owner.kind === "app") return `${owner.app} owns this data folder (pid ${owner.pid}); quit it or use the app`;
  if (owner.kind === "server") return `${owner.app} owns this data folder (pid ${owner.pid})${owner.url === undefined ? "" : ` at ${owner.url}`}; stop it or use its panel`;
  return `${owner.app} (pid ${owner.pid}) is writing to this data folder; try again when it ends`;
}

/**
 * Decides how a command reaches the data folder: own it (take the lock), send
 * its work to the running server that owns it, read committed state beside an
 * owner that takes no forwarded work, or refuse with a line naming the owner.
 */
export async function decideOwnership(dataDir: string, options: DecideOptions): Promise<OwnerDecision> {
  if (!locksAvailable()) return { mode: "unlocked" };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const deadline = Date.now() + options.waitMs;
  for (let attempt = 0; ; attempt++) {
    let lease: FolderLease | undefined;
    try {
      lease = claimFolder(dataDir, { app: options.app, kind: options.kind });
    } catch (error) {
      // A read-only file system: the lock file cannot be created, and nobody can write the folder.
      // Readers read it as it is; a writer goes on to fail with the file system's own error.
      if ((error as { code?: unknown }).code === "EROFS") return options.readOnly ? { mode: "read-only", owner: undefined } : { mode: "unlocked" };
      throw error;
    }
    if (lease !== undefined) return { mode: "own", lease };
    const owner = readOwnerRecord(dataDir);
    // owner.json may still name a dead earlier owner while the new one starts: wait for it to say who it is.
    const known = owner !== undefined && processAlive(owner.pid) ? owner : undefined;
    if (known !== undefined) {
      if (known.kind === "server" && known.url !== undefined && known.token !== undefined && options.forwardable) {
        return { mode: "forward", owner: { ...known, url: known.url, token: known.token } };
      }
      if (options.readOnly) return { mode: "read-only", owner: known };
      if (known.kind === "app" || (known.kind === "server" && !options.forwardable)) return { mode: "refuse", owner: known, message: describeOwner(known) };
    }
    // A short command, or a server that does not listen yet: wait for it to end or to publish its address.
    if (Date.now() >= deadline) {
      return options.readOnly ? { mode: "read-only", owner: known } : { mode: "refuse", owner: known, message: describeOwner(known) };
    }
    await sleep(Math.min(200, 20 * 2 ** Math.min(attempt, 4)));
  }
}
