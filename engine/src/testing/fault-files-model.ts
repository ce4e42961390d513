import { normalize, parentOf, type FaultOp } from "./fault-files.ts";

/**
 * The persistence model: which of the logged operations a disk still holds
 * after a crash.
 *
 * - A file's data is durable once the file was fsynced after the write.
 * - A directory entry (create, rename, remove, mkdir) is durable once its
 *   directory (the target's, for a rename) was fsynced after it.
 * - Anything else may be dropped, kept, or — for data — torn: cut at a 4 KiB
 *   boundary, or zero-filled at its full length.
 */
export type PersistenceMode = { readonly kind: "drop" } | { readonly kind: "keep" } | { readonly kind: "torn"; readonly zeroFill: boolean } | { readonly kind: "random"; readonly seed: number };

export interface Disk {
  readonly files: Map<string, Uint8Array>;
  readonly dirs: Set<string>;
}

function rng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

const entryDir = (op: FaultOp): string | undefined => {
  switch (op.type) {
    case "mkdir":
    case "remove":
      return parentOf(op.path);
    case "rename":
      return parentOf(op.to);
    case "write":
    case "append":
      return op.created ? parentOf(op.path) : undefined;
    default:
      return undefined;
  }
};

/** Builds the disk a crash after `log` could leave, under `mode`. The log starts from `base` (default empty). */
export function diskAfterCrash(log: readonly FaultOp[], mode: PersistenceMode, base: Disk = { files: new Map(), dirs: new Set([""]) }): Disk {
  const random = mode.kind === "random" ? rng(mode.seed) : () => 0;
  // Last fsync index per directory and per inode.
  const lastDirSync = new Map<string, number>();
  const lastFileSync = new Map<number, number>();
  log.forEach((op, index) => {
    if (op.type === "fsyncDir") lastDirSync.set(normalize(op.path), index);
    if (op.type === "fsync") lastFileSync.set(op.inode, index);
  });
  const keepUnflushedEntry = () => (mode.kind === "keep" || mode.kind === "torn" ? true : mode.kind === "drop" ? false : random() < 0.5);

  // Directory entries: replay, keeping durable ones and choosing for the rest.
  type Entry = { kind: "dir" } | { kind: "file"; inode: number } | { kind: "base"; bytes: Uint8Array };
  const names = new Map<string, Entry>();
  for (const dir of base.dirs) names.set(dir, { kind: "dir" });
  for (const [path, bytes] of base.files) names.set(path, { kind: "base", bytes });
  // Data: per inode, the content after each write, and whether that write was fsynced later.
  const writes = new Map<number, { index: number; bytes: Uint8Array }[]>();

  log.forEach((op, index) => {
    if (op.type === "write" || op.type === "append") {
      let list = writes.get(op.inode);
      if (list === undefined) writes.set(op.inode, (list = []));
      list.push({ index, bytes: op.bytes });
    }
    const dir = entryDir(op);
    if (dir === undefined) return;
    const durable = (lastDirSync.get(dir) ?? -1) > index;
    if (!durable && !keepUnflushedEntry()) return;
    switch (op.type) {
      case "mkdir":
        if (names.get(parentOf(op.path))?.kind === "dir") names.set(op.path, { kind: "dir" });
        break;
      case "write":
      case "append":
        if (names.get(parentOf(op.path))?.kind === "dir") names.set(op.path, { kind: "file", inode: op.inode });
        break;
      case "rename": {
        if (names.get(parentOf(op.to))?.kind !== "dir") break;
        // The new entry names the inode, whether or not the old entry ever became durable.
        const entry = names.get(op.from);
        if (entry !== undefined && entry.kind !== "dir") names.set(op.to, entry);
        else if (writes.has(op.inode)) names.set(op.to, { kind: "file", inode: op.inode });
        else break;
        names.delete(op.from);
        break;
      }
      case "remove":
        for (const key of [...names.keys()]) if (key === op.path || key.startsWith(`${op.path}/`)) names.delete(key);
        break;
    }
  });

  const contentOf = (inode: number): Uint8Array => {
    const list = writes.get(inode) ?? [];
    const synced = lastFileSync.get(inode) ?? -1;
    const durable = [...list].reverse().find((write) => write.index < synced);
    const latest = list[list.length - 1];
    if (latest === undefined) return new Uint8Array(0);
    if (latest.index < synced) return latest.bytes;
    const fallback = durable?.bytes ?? new Uint8Array(0);
    let choice: "drop" | "keep" | "torn" = mode.kind === "random" ? (["drop", "keep", "torn"] as const)[Math.floor(random() * 3)]! : mode.kind;
    if (choice === "drop") return fallback;
    if (choice === "keep") return latest.bytes;
    const zeroFill = mode.kind === "torn" ? mode.zeroFill : random() < 0.5;
    if (zeroFill) return new Uint8Array(latest.bytes.length);
    const blocks = Math.floor(latest.bytes.length / 4096);
    const cut = blocks === 0 ? 0 : Math.floor((mode.kind === "random" ? random() : 0.5) * blocks) * 4096;
    return latest.bytes.slice(0, cut);
  };

  const files = new Map<string, Uint8Array>();
  const dirs = new Set<string>();
  for (const [path, entry] of names) {
    // An entry whose parent directory did not survive is lost with it.
    let ok = true;
    for (let dir = parentOf(path); path !== "" && ok; dir = parentOf(dir)) {
      if (names.get(dir)?.kind !== "dir") ok = false;
      if (dir === "") break;
    }
    if (!ok) continue;
    if (entry.kind === "dir") dirs.add(path);
    else files.set(path, entry.kind === "base" ? entry.bytes : contentOf(entry.inode));
  }
  return { files, dirs };
}

/** A cheap fingerprint of a disk, to count distinct post-crash states. */
export function fingerprint(disk: Disk): string {
  const parts: string[] = [];
  for (const path of [...disk.files.keys()].sort()) {
    const bytes = disk.files.get(path)!;
    let hash = 0x811c9dc5;
    for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
    parts.push(`${path}:${bytes.length}:${(hash >>> 0).toString(16)}`);
  }
  return `${[...disk.dirs].sort().join("|")}#${parts.join("|")}`;
}
