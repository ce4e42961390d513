import { createHash } from "node:crypto";
import type { FileStat, FilesPort, WriteAtomicOptions, WriteResult } from "../host/index.ts";
import { hostError } from "../host/index.ts";

/**
 * A fault-injecting file system for storage tests.
 *
 * It implements the host port's files with the same recipe the real hosts
 * follow (writeAtomic = temp write → flush → read back and verify → rename →
 * directory flush), but decomposed into primitive operations that are all
 * logged: mkdir, write, append, fsync, rename, remove, fsyncDir. The log feeds
 * the persistence model (`fault-files-model.ts`), which builds what a disk
 * could hold after a crash at any operation.
 *
 * Faults, by operation index: a crash (this and every later operation throw
 * `ECRASH`), an I/O error once or from then on, and a "silent" short write
 * that reports success while storing fewer bytes.
 */

export type FaultOp =
  | { readonly type: "mkdir"; readonly path: string }
  | { readonly type: "write"; readonly path: string; readonly inode: number; readonly bytes: Uint8Array; readonly created: boolean }
  | { readonly type: "append"; readonly path: string; readonly inode: number; readonly bytes: Uint8Array; readonly created: boolean }
  | { readonly type: "fsync"; readonly path: string; readonly inode: number }
  | { readonly type: "rename"; readonly from: string; readonly to: string; readonly inode: number }
  | { readonly type: "remove"; readonly path: string }
  | { readonly type: "fsyncDir"; readonly path: string };

export interface IoFault {
  readonly at: number;
  readonly code: "EIO" | "ENOSPC" | "EACCES";
  /** Keep failing every later mutating operation until cleared. */
  readonly persistent?: boolean;
}

export interface FaultPlan {
  /** Crash before executing the operation with this index. */
  crashAt?: number;
  io?: IoFault;
  /** The write with this index stores half its bytes and reports success. */
  shortWriteAt?: number;
  /** Bytes the disk holds: a write or append that would store more fails with ENOSPC (a full disk that deleting frees). */
  capacity?: number;
  /** Called before each operation runs: the moment a crash at `index` would strike. */
  beforeStep?: (index: number) => void;
}

export interface FaultFiles extends FilesPort {
  readonly log: FaultOp[];
  readonly plan: FaultPlan;
  /** Operations executed or attempted so far (the next operation's index). */
  readonly opCount: number;
  /** Indexes at which a planned fault actually fired. */
  readonly hits: { crash?: number; io: number[]; shortWrite?: number; full: number };
  readonly crashed: boolean;
  /** Current files (path → bytes) and directories. */
  snapshot(): { files: Map<string, Uint8Array>; dirs: Set<string> };
}

type Entry = { readonly kind: "dir" } | { readonly kind: "file"; readonly inode: number };

export const CRASH_CODE = "ECRASH";

const normalized = new Map<string, string>();
export const normalize = (path: string): string => {
  let out = normalized.get(path);
  if (out === undefined) {
    out = path.split("/").filter((s) => s !== "" && s !== ".").join("/");
    if (normalized.size > 50_000) normalized.clear();
    normalized.set(path, out);
  }
  return out;
};
export const parentOf = (path: string) => {
  const index = path.lastIndexOf("/");
  return index < 0 ? "" : path.slice(0, index);
};

/** Creates a fault-injecting file system, optionally starting from existing files and directories. */
export function createFaultFiles(initial: { files?: Map<string, Uint8Array>; dirs?: Iterable<string> } = {}, plan: FaultPlan = {}): FaultFiles {
  const names = new Map<string, Entry>([["", { kind: "dir" }]]);
  const inodes = new Map<number, Uint8Array>();
  let nextInode = 1;
  for (const dir of initial.dirs ?? []) names.set(normalize(dir), { kind: "dir" });
  for (const [path, bytes] of initial.files ?? []) {
    const inode = nextInode++;
    inodes.set(inode, bytes.slice());
    names.set(normalize(path), { kind: "file", inode });
  }
  const log: FaultOp[] = [];
  const hits: FaultFiles["hits"] = { io: [], full: 0 };
  let opCount = 0;
  let crashed = false;
  let tempCounter = 0;

  const failsWhenPersistent = (code: IoFault["code"], type: FaultOp["type"]) =>
    code === "ENOSPC" ? type === "write" || type === "append" || type === "mkdir" : true;
  /** Runs one primitive operation through the fault plan; "short" for a silent short write. */
  const step = (type: FaultOp["type"]): "ok" | "short" => {
    const index = opCount++;
    if (crashed) throw hostError(CRASH_CODE, "crashed");
    plan.beforeStep?.(index);
    if (plan.crashAt === index) {
      crashed = true;
      hits.crash = index;
      throw hostError(CRASH_CODE, `crash injected at operation ${index}`);
    }
    const io = plan.io;
    if (io !== undefined && (index === io.at || (io.persistent === true && index > io.at && failsWhenPersistent(io.code, type)))) {
      hits.io.push(index);
      throw hostError(io.code, `${io.code} injected at operation ${index} (${type})`);
    }
    if (plan.shortWriteAt === index && (type === "write" || type === "append")) {
      hits.shortWrite = index;
      return "short";
    }
    return "ok";
  };

  const mustDir = (path: string) => {
    const entry = names.get(path);
    if (entry === undefined) throw hostError("ENOENT", `no such directory: ${path}`);
    if (entry.kind !== "dir") throw hostError("ENOTDIR", `not a directory: ${path}`);
  };
  const mkdirp = (path: string) => {
    if (path === "") return;
    const entry = names.get(path);
    if (entry?.kind === "dir") return;
    if (entry !== undefined) throw hostError("ENOTDIR", `not a directory: ${path}`);
    mkdirp(parentOf(path));
    step("mkdir");
    names.set(path, { kind: "dir" });
    log.push({ type: "mkdir", path });
  };
  /** Bytes held by every named file (a file named twice counts once). */
  const used = (): number => {
    const seen = new Set<number>();
    let total = 0;
    for (const entry of names.values()) {
      if (entry.kind !== "file" || seen.has(entry.inode)) continue;
      seen.add(entry.inode);
      total += inodes.get(entry.inode)!.length;
    }
    return total;
  };
  /** Refuses to grow `inode` (or a new file) by `grow` bytes past the capacity. */
  const mustFit = (grow: number) => {
    if (plan.capacity === undefined || grow <= 0 || used() + grow <= plan.capacity) return;
    opCount++;
    hits.full++;
    throw hostError("ENOSPC", `no space left: ${grow} more bytes past the capacity of ${plan.capacity}`);
  };
  const writeFile = (path: string, bytes: Uint8Array): number => {
    mustDir(parentOf(path));
    const existing = names.get(path);
    if (existing?.kind === "dir") throw hostError("EISDIR", `is a directory: ${path}`);
    mustFit(bytes.length - (existing?.kind === "file" ? inodes.get(existing.inode)!.length : 0));
    const outcome = step("write");
    const stored = outcome === "short" ? bytes.slice(0, bytes.length >> 1) : bytes.slice();
    const inode = existing?.kind === "file" ? existing.inode : nextInode++;
    inodes.set(inode, stored);
    names.set(path, { kind: "file", inode });
    log.push({ type: "write", path, inode, bytes: stored, created: existing === undefined });
    return inode;
  };
  const fsync = (path: string) => {
    const entry = names.get(path);
    if (entry?.kind !== "file") throw hostError("ENOENT", `no such file: ${path}`);
    step("fsync");
    log.push({ type: "fsync", path, inode: entry.inode });
  };
  const readFile = (path: string): Uint8Array => {
    if (crashed) throw hostError(CRASH_CODE, "crashed");
    const entry = names.get(path);
    if (entry === undefined) throw hostError("ENOENT", `no such file: ${path}`);
    if (entry.kind !== "file") throw hostError("EISDIR", `is a directory: ${path}`);
    return inodes.get(entry.inode)!;
  };
  const removeEntry = (path: string) => {
    if (names.get(path)?.kind === "file") {
      names.delete(path);
      return;
    }
    for (const key of [...names.keys()]) if (key === path || key.startsWith(`${path}/`)) names.delete(key);
  };
  const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

  const files: FaultFiles = {
    log,
    plan,
    hits,
    get opCount() {
      return opCount;
    },
    get crashed() {
      return crashed;
    },
    async read(path) {
      return readFile(normalize(path)).slice();
    },
    async writeAtomic(path, bytes, options?: WriteAtomicOptions): Promise<WriteResult> {
      const target = normalize(path);
      mkdirp(parentOf(target));
      const temp = `${target}.tmp-${++tempCounter}`;
      writeFile(temp, bytes);
      try {
        fsync(temp);
        const back = readFile(temp);
        const digest = sha(back);
        // The host's verification: a write that "succeeded" short is caught before rename.
        if (back.length !== bytes.length || digest !== sha(bytes)) throw hostError("EIO", `verification failed for ${path}`);
        if (names.get(target)?.kind === "dir") throw hostError("EISDIR", `is a directory: ${path}`);
        step("rename");
        const moved = names.get(temp) as Entry & { kind: "file" };
        names.set(target, moved);
        names.delete(temp);
        log.push({ type: "rename", from: temp, to: target, inode: moved.inode });
        if (options?.flushDir !== false) await files.flushDir(parentOf(target));
        return { size: back.length, sha256: digest };
      } catch (error) {
        if (names.has(temp) && !crashed) {
          try {
            step("remove");
            names.delete(temp);
            log.push({ type: "remove", path: temp });
          } catch {
            // the cleanup itself failed; a stray temp file is what a real crash leaves too
          }
        }
        throw error;
      }
    },
    async append(path, bytes) {
      const target = normalize(path);
      mustDir(parentOf(target));
      const existing = names.get(target);
      if (existing?.kind === "dir") throw hostError("EISDIR", `is a directory: ${path}`);
      mustFit(bytes.length);
      const outcome = step("append");
      const added = outcome === "short" ? bytes.slice(0, bytes.length >> 1) : bytes;
      const inode = existing?.kind === "file" ? existing.inode : nextInode++;
      const old = existing?.kind === "file" ? inodes.get(existing.inode)! : new Uint8Array(0);
      const merged = new Uint8Array(old.length + added.length);
      merged.set(old);
      merged.set(added, old.length);
      inodes.set(inode, merged);
      names.set(target, { kind: "file", inode });
      log.push({ type: "append", path: target, inode, bytes: merged, created: existing === undefined });
      fsync(target);
    },
    async flushDir(path) {
      const dir = normalize(path);
      mustDir(dir);
      step("fsyncDir");
      log.push({ type: "fsyncDir", path: dir });
    },
    async list(path) {
      if (crashed) throw hostError(CRASH_CODE, "crashed");
      const dir = normalize(path);
      mustDir(dir);
      const prefix = dir === "" ? "" : `${dir}/`;
      const out: string[] = [];
      for (const key of names.keys()) if (key !== "" && key.startsWith(prefix) && !key.slice(prefix.length).includes("/")) out.push(key.slice(prefix.length));
      return out.sort();
    },
    async stat(path): Promise<FileStat | undefined> {
      if (crashed) throw hostError(CRASH_CODE, "crashed");
      const entry = names.get(normalize(path));
      if (entry === undefined) return undefined;
      return entry.kind === "dir" ? { kind: "directory", size: 0, mtimeMs: 0 } : { kind: "file", size: inodes.get(entry.inode)!.length, mtimeMs: 0 };
    },
    async remove(path, options) {
      const target = normalize(path);
      const entry = names.get(target);
      if (entry === undefined || target === "") return;
      if (entry.kind === "dir" && options?.recursive !== true && [...names.keys()].some((key) => key.startsWith(`${target}/`))) throw hostError("ENOTEMPTY", `not empty: ${path}`);
      step("remove");
      removeEntry(target);
      log.push({ type: "remove", path: target });
    },
    async rename(from, to) {
      const source = normalize(from);
      const target = normalize(to);
      const entry = names.get(source);
      if (entry === undefined) throw hostError("ENOENT", `no such file: ${from}`);
      mustDir(parentOf(target));
      if (entry.kind === "dir") throw hostError("EINVAL", "directory renames are not used by storage");
      if (names.get(target)?.kind === "dir") throw hostError("EISDIR", `is a directory: ${to}`);
      step("rename");
      names.set(target, entry);
      if (source !== target) names.delete(source);
      log.push({ type: "rename", from: source, to: target, inode: entry.inode });
    },
    async mkdirp(path) {
      mkdirp(normalize(path));
    },
    async copy(from, to) {
      const bytes = readFile(normalize(from));
      writeFile(normalize(to), bytes);
      fsync(normalize(to));
    },
    snapshot() {
      const out = new Map<string, Uint8Array>();
      const dirs = new Set<string>();
      for (const [path, entry] of names) {
        if (entry.kind === "file") out.set(path, inodes.get(entry.inode)!.slice());
        else dirs.add(path);
      }
      return { files: out, dirs };
    },
  };
  return files;
}
