import * as z from "zod";
import type { ByteRange, CryptoPort, FilesPort } from "../host/index.ts";
import { decodeUtf8 as utf8Decode, encodeUtf8 as utf8Encode } from "./codec.ts";
import { isValidKey, toStorageError } from "./keys.ts";
import type { KvAdapter, KvOp, RecoveryReport } from "./types.ts";

export interface FileAdapterOptions {
  readonly files: FilesPort;
  readonly crypto: CryptoPort;
  /** Folder under the host's data directory (relative), "" for the data directory itself. */
  readonly root?: string;
  /**
   * Room kept in `journal/reserve-{n}` so a commit that frees space (a delete,
   * gc) can still journal on a full disk: a slot is given up to make room, and
   * the slots are refilled once a commit has room again. Default 4 × 256 KiB.
   */
  readonly reserve?: ReserveOptions;
}

export interface ReserveOptions {
  readonly slots: number;
  readonly slotBytes: number;
}

export const DEFAULT_RESERVE: ReserveOptions = { slots: 4, slotBytes: 256 * 1024 };
const RESERVE_PREFIX = "reserve-";

const JOURNAL = "journal";

const MarkerSchema = z.object({
  v: z.literal(1),
  ops: z.array(z.union([z.object({ key: z.string(), staged: z.number().int().nonnegative(), sha256: z.string(), size: z.number() }), z.object({ key: z.string(), delete: z.literal(true) })])),
});

const parentOf = (path: string) => {
  const index = path.lastIndexOf("/");
  return index < 0 ? "" : path.slice(0, index);
};

const isErrno = (error: unknown, code: string) => (error as { code?: unknown } | undefined)?.code === code;

/**
 * The file-system adapter, over the host port's files.
 *
 * One key is one file. A single-op commit is the host's atomic write (temp →
 * flush → verify → rename) plus one directory flush. A multi-op commit stages
 * every value under `journal/{tx}/`, flushes, then writes the marker
 * `journal/{tx}.json` (the commit point), renames the staged files into place,
 * flushes each touched directory, and removes the marker. `recover()` rolls a
 * commit with a marker forward and discards one without.
 */
export function createFileAdapter(options: FileAdapterOptions): KvAdapter {
  const { files, crypto } = options;
  const root = (options.root ?? "").replace(/^\/+|\/+$/g, "");
  const pathOf = (key: string) => (root === "" ? key : `${root}/${key}`);
  const journalDir = pathOf(JOURNAL);
  const durableDirs = new Set<string>();
  let journalDirty = false;
  /** Directories with adopted files whose entries are flushed by the next commit. */
  const dirtyDirs = new Set<string>();
  let txSeq = 0;
  let closed = false;
  /** A commit failed after its commit point: finish it before anything else reads or writes. */
  let unfinished = false;
  const reserve = options.reserve ?? DEFAULT_RESERVE;
  const slotPath = (n: number) => `${journalDir}/${RESERVE_PREFIX}${n}`;
  /** Every reserve slot is known to be there and whole. */
  let reserveWhole = reserve.slots <= 0;

  /** Creates a directory and makes its entry durable in the parent (once per directory). */
  async function ensureDir(dir: string): Promise<void> {
    if (dir === "" || durableDirs.has(dir)) return;
    const stat = await files.stat(dir);
    if (stat?.kind === "directory") {
      durableDirs.add(dir);
      return;
    }
    await ensureDir(parentOf(dir));
    await files.mkdirp(dir);
    await files.flushDir(parentOf(dir));
    durableDirs.add(dir);
  }

  /** A removed marker must be durable before a later commit touches the keys it named. */
  async function settleJournal(): Promise<void> {
    for (const dir of [...dirtyDirs]) {
      await files.flushDir(dir);
      dirtyDirs.delete(dir);
    }
    if (!journalDirty) return;
    await files.flushDir(journalDir);
    journalDirty = false;
  }

  async function flushDirs(dirs: Iterable<string>): Promise<void> {
    await Promise.all([...dirs].map((dir) => files.flushDir(dir)));
  }

  async function commitOne(op: KvOp): Promise<void> {
    const path = pathOf(op.key);
    await settleJournal();
    if (op.type === "put") {
      await ensureDir(parentOf(path));
      await files.writeAtomic(path, op.value, { flushDir: false });
    } else {
      if ((await files.stat(path)) === undefined) return;
      await files.remove(path);
    }
    await files.flushDir(parentOf(path));
  }

  /** `recovering`: staged files may already have moved before a crash, so each is checked first. */
  async function applyMarker(tx: string, marker: z.infer<typeof MarkerSchema>, recovering = true): Promise<void> {
    const ops = marker.ops.filter((op) => isValidKey(op.key));
    for (const dir of new Set(ops.filter((op) => "staged" in op).map((op) => parentOf(pathOf(op.key))))) await ensureDir(dir);
    // Every op names a different key, so the moves can go out together.
    const touched = await Promise.all(
      ops.map(async (op) => {
        const target = pathOf(op.key);
        if ("staged" in op) {
          const staged = `${journalDir}/${tx}.${op.staged}`;
          if (recovering && (await files.stat(staged)) === undefined) return undefined; // already moved before the crash
          await files.rename(staged, target);
        } else {
          if ((await files.stat(target)) === undefined) return undefined;
          await files.remove(target);
        }
        return parentOf(target);
      }),
    );
    await flushDirs(new Set(touched.filter((dir): dir is string => dir !== undefined)));
  }

  async function commitJournaled(ops: readonly KvOp[]): Promise<void> {
    await ensureDir(journalDir);
    if (dirtyDirs.size > 0) await settleJournal();
    const tx = `${(++txSeq).toString().padStart(8, "0")}-${hex(crypto.randomBytes(4))}`;
    // Staged values sit beside the marker as `{tx}.{n}`: no folder to create and remove per commit.
    const staging = (index: number) => `${journalDir}/${tx}.${index}`;
    const marker: z.infer<typeof MarkerSchema> = { v: 1, ops: [] };
    let staged = 0;
    try {
      // Staged writes go out together: the host runs them in parallel and the
      // file system folds their flushes into one journal commit.
      const puts: { op: KvOp & { type: "put" }; index: number }[] = [];
      for (const op of ops) {
        if (op.type === "put") puts.push({ op, index: staged++ });
        else marker.ops.push({ key: op.key, delete: true });
      }
      const settledWrites = await Promise.allSettled(puts.map(({ op, index }) => files.writeAtomic(staging(index), op.value, { flushDir: false })));
      const failed = settledWrites.find((result) => result.status === "rejected");
      if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
      puts.forEach(({ op, index }, i) => {
        const written = (settledWrites[i] as PromiseFulfilledResult<{ sha256: string; size: number }>).value;
        if (written.size !== op.value.length) throw new Error(`staged ${op.key} has ${written.size} bytes, expected ${op.value.length}`);
        marker.ops.push({ key: op.key, staged: index, sha256: written.sha256, size: written.size });
      });
      // The staged entries must be durable before the marker can be.
      if (staged > 0) await files.flushDir(journalDir);
      await files.writeAtomic(`${journalDir}/${tx}.json`, utf8Encode(JSON.stringify(marker)));
    } catch (error) {
      // Whether the marker landed is unknown: the next call rolls it forward or discards the staging area.
      unfinished = true;
      throw error;
    }
    journalDirty = false; // the marker's directory flush covered earlier removals
    try {
      await applyMarker(tx, marker, false);
      await files.remove(`${journalDir}/${tx}.json`);
    } catch (error) {
      unfinished = true; // committed, but not yet in place: finished before the next read or write
      throw error;
    }
    journalDirty = true;
  }

  const apply = (ops: readonly KvOp[]) => (ops.length === 1 ? commitOne(ops[0]!) : commitJournaled(ops));

  /** On a full disk, a commit that frees more than it writes gives up reserve slots, one at a time, until it fits. */
  async function commitMakingRoom(ops: readonly KvOp[]): Promise<void> {
    try {
      await apply(ops);
      return;
    } catch (error) {
      if (!isErrno(error, "ENOSPC") || !(await freesSpace(ops))) throw error;
      let last: unknown = error;
      while (isErrno(last, "ENOSPC") && (await releaseSlot())) {
        // The failed attempt may have left staging behind: discard it before trying again.
        await settle();
        try {
          await apply(ops);
          return;
        } catch (retry) {
          last = retry;
        }
      }
      throw last;
    }
  }

  /** Deletes something and, all told, stores no more bytes than it removes. */
  async function freesSpace(ops: readonly KvOp[]): Promise<boolean> {
    if (!ops.some((op) => op.type === "delete")) return false;
    let freed = 0;
    for (const op of ops) {
      const stat = await files.stat(pathOf(op.key));
      freed += (stat?.kind === "file" ? stat.size : 0) - (op.type === "put" ? op.value.length : 0);
    }
    return freed >= 0;
  }

  async function releaseSlot(): Promise<boolean> {
    for (let n = reserve.slots - 1; n >= 0; n--) {
      if ((await files.stat(slotPath(n))) === undefined) continue;
      await files.remove(slotPath(n));
      reserveWhole = false;
      return true;
    }
    return false;
  }

  /** Fills missing or short slots (plain appends: a slot holds no data, so it needs no atomic write). */
  async function refillReserve(): Promise<void> {
    if (reserveWhole) return;
    try {
      await ensureDir(journalDir);
      for (let n = 0; n < reserve.slots; n++) {
        const stat = await files.stat(slotPath(n));
        if (stat?.kind === "file" && stat.size === reserve.slotBytes) continue;
        if (stat !== undefined) await files.remove(slotPath(n));
        try {
          await files.append(slotPath(n), new Uint8Array(reserve.slotBytes));
        } catch (error) {
          await files.remove(slotPath(n)).catch(() => undefined);
          throw error;
        }
      }
      reserveWhole = true;
    } catch {
      // Too full to keep the whole reserve now: a later commit tries again.
    }
  }

  async function walk(dir: string, keyPrefix: string, out: string[]): Promise<void> {
    let names: string[];
    try {
      names = await files.list(dir);
    } catch (error) {
      if (isErrno(error, "ENOENT") || isErrno(error, "ENOTDIR")) return;
      throw error;
    }
    for (const name of names) {
      if (name.startsWith(".") || name.includes(".tmp")) continue;
      const stat = await files.stat(`${dir === "" ? "" : `${dir}/`}${name}`);
      if (stat === undefined) continue;
      const key = `${keyPrefix}${name}`;
      if (stat.kind === "directory") await walk(`${dir === "" ? "" : `${dir}/`}${name}`, `${key}/`, out);
      else if (isValidKey(key)) out.push(key);
    }
  }

  async function recoverJournal(): Promise<RecoveryReport> {
    let rolledForward = 0;
    let rolledBack = 0;
    try {
      await ensureDir(root);
      await ensureDir(journalDir);
      const names = await files.list(journalDir);
      const markers = names.filter((name) => name.endsWith(".json")).sort();
      for (const name of markers) {
        const tx = name.slice(0, -".json".length);
        let marker: z.infer<typeof MarkerSchema> | undefined;
        try {
          marker = MarkerSchema.parse(JSON.parse(utf8Decode(await files.read(`${journalDir}/${name}`))));
        } catch {
          marker = undefined;
        }
        if (marker !== undefined) {
          await applyMarker(tx, marker);
          rolledForward++;
        } else rolledBack++;
        await files.remove(`${journalDir}/${name}`);
      }
      // Whatever is left is staging without a marker (or already applied): discard it.
      let discarded = false;
      // With no marker handled the first listing still holds (opening a clean folder lists the journal once).
      for (const name of markers.length === 0 ? names : await files.list(journalDir)) {
        if (name.endsWith(".json") || name.startsWith(RESERVE_PREFIX)) continue;
        await files.remove(`${journalDir}/${name}`, { recursive: true });
        discarded = true;
      }
      if (discarded && markers.length === 0) rolledBack++;
      if (rolledForward + rolledBack > 0) await files.flushDir(journalDir);
      unfinished = false;
    } catch (error) {
      throw toStorageError(error, "recovering the journal");
    }
    return { rolledForward, rolledBack };
  }

  const guard = () => {
    if (closed) throw new Error("file adapter closed");
  };

  let recovering: Promise<unknown> | undefined;
  /** Rolls a commit that failed half-way forward (or back) before serving anything else. */
  /** One recovery at a time; a caller that joined an attempt which failed (under conditions since changed) tries its own. */
  const settle = async () => {
    while (unfinished) {
      const joined = recovering !== undefined;
      recovering ??= recoverJournal().finally(() => {
        recovering = undefined;
      });
      try {
        await recovering;
      } catch (error) {
        if (!joined) throw error;
      }
    }
  };
  const settled = async () => {
    guard();
    try {
      await settle();
    } catch (error) {
      throw toStorageError(error, "finishing an interrupted commit");
    }
  };

  return {
    kind: "file",
    async get(key) {
      await settled();
      try {
        return await files.read(pathOf(key));
      } catch (error) {
        if (isErrno(error, "ENOENT") || isErrno(error, "ENOTDIR")) return undefined;
        throw toStorageError(error, `reading ${key}`);
      }
    },
    async list(prefix) {
      await settled();
      const slash = prefix.lastIndexOf("/");
      const dirKey = slash < 0 ? "" : prefix.slice(0, slash);
      const out: string[] = [];
      try {
        await walk(dirKey === "" ? root : pathOf(dirKey), dirKey === "" ? "" : `${dirKey}/`, out);
      } catch (error) {
        throw toStorageError(error, `listing ${prefix}`);
      }
      const reservedHidden = prefix === "" ? (key: string) => key.startsWith(`${JOURNAL}/`) : () => false;
      return out.filter((key) => key.startsWith(prefix) && !reservedHidden(key)).sort();
    },
    async commit(ops) {
      await settled();
      if (ops.length === 0) return;
      try {
        await commitMakingRoom(ops);
      } catch (error) {
        throw toStorageError(error, "committing");
      }
      await refillReserve();
    },
    async recover(): Promise<RecoveryReport> {
      guard();
      return recoverJournal();
    },
    async size(key) {
      const stat = await files.stat(pathOf(key));
      return stat?.kind === "file" ? stat.size : undefined;
    },
    async hashValue(key) {
      try {
        return await crypto.sha256File(pathOf(key));
      } catch (error) {
        if (isErrno(error, "ENOENT")) return undefined;
        throw toStorageError(error, `hashing ${key}`);
      }
    },
    ...(files.readRanges === undefined
      ? {}
      : {
          async getRanges(key: string, ranges: readonly ByteRange[]) {
            await settled();
            try {
              return await files.readRanges!(pathOf(key), ranges);
            } catch (error) {
              if (isErrno(error, "ENOENT") || isErrno(error, "ENOTDIR")) return undefined;
              throw toStorageError(error, `reading ${key}`);
            }
          },
        }),
    async adoptFile(sourcePath, key, adoptOptions) {
      guard();
      const target = pathOf(key);
      try {
        await settleJournal();
        await ensureDir(parentOf(target));
        try {
          await files.rename(sourcePath, target);
        } catch (error) {
          if (isErrno(error, "ENOENT")) throw error;
          // Crossing volumes: copy under the journal, then rename into place.
          const temp = `${journalDir}/adopt-${hex(crypto.randomBytes(6))}`;
          await files.copy(sourcePath, temp);
          await files.rename(temp, target);
          await files.remove(sourcePath);
        }
        if (adoptOptions?.deferDirFlush === true) dirtyDirs.add(parentOf(target));
        else await files.flushDir(parentOf(target));
      } catch (error) {
        throw toStorageError(error, `adopting ${sourcePath}`);
      }
    },
    async close() {
      closed = true;
    },
  };
}

export function hex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}
