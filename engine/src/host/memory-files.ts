import type { FileStat, FilesPort, WriteAtomicOptions, WriteResult } from "./host-port.ts";
import { hostError } from "./host-port.ts";
import { sha256Hex } from "./sha256.ts";

interface Node {
  kind: "file" | "directory";
  bytes: Uint8Array;
  mtimeMs: number;
}

/** Normalises a POSIX path: no empty or `.` segments; `..` is refused (no traversal). */
export function normalizePath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") throw hostError("EINVAL", `path may not contain "..": ${path}`);
    segments.push(segment);
  }
  return segments.join("/");
}

function parentOf(path: string): string {
  const index = path.lastIndexOf("/");
  return index < 0 ? "" : path.slice(0, index);
}

/**
 * An in-memory file system implementing {@link FilesPort}, with the same
 * atomic-write semantics as the real hosts. Absolute and relative paths share
 * one namespace (the leading slash is dropped).
 */
export function createMemoryFiles(now: () => number = () => 0): FilesPort & { readonly snapshot: () => Map<string, Uint8Array> } {
  const nodes = new Map<string, Node>([["", { kind: "directory", bytes: new Uint8Array(0), mtimeMs: 0 }]]);
  let tempCounter = 0;

  const mustDir = (path: string) => {
    const node = nodes.get(path);
    if (node === undefined) throw hostError("ENOENT", `no such directory: ${path}`);
    if (node.kind !== "directory") throw hostError("ENOTDIR", `not a directory: ${path}`);
  };
  const mkdirp = (path: string) => {
    if (path === "") return;
    const existing = nodes.get(path);
    if (existing !== undefined) {
      if (existing.kind !== "directory") throw hostError("ENOTDIR", `not a directory: ${path}`);
      return;
    }
    mkdirp(parentOf(path));
    nodes.set(path, { kind: "directory", bytes: new Uint8Array(0), mtimeMs: now() });
  };
  const putFile = (path: string, bytes: Uint8Array) => {
    const existing = nodes.get(path);
    if (existing?.kind === "directory") throw hostError("EISDIR", `is a directory: ${path}`);
    mustDir(parentOf(path));
    nodes.set(path, { kind: "file", bytes: bytes.slice(), mtimeMs: now() });
  };
  const readFile = (path: string): Uint8Array => {
    const node = nodes.get(path);
    if (node === undefined) throw hostError("ENOENT", `no such file: ${path}`);
    if (node.kind !== "file") throw hostError("EISDIR", `is a directory: ${path}`);
    return node.bytes;
  };

  const files: FilesPort & { readonly snapshot: () => Map<string, Uint8Array> } = {
    async read(path) {
      return readFile(normalizePath(path)).slice();
    },
    async writeAtomic(path, bytes, _options?: WriteAtomicOptions): Promise<WriteResult> {
      const target = normalizePath(path);
      mkdirp(parentOf(target));
      const temp = `${target}.tmp-${++tempCounter}`;
      try {
        putFile(temp, bytes);
        const back = readFile(temp);
        const sha256 = sha256Hex(back);
        if (back.length !== bytes.length || sha256 !== sha256Hex(bytes)) throw hostError("EIO", `verification failed for ${path}`);
        const existing = nodes.get(target);
        if (existing?.kind === "directory") throw hostError("EISDIR", `is a directory: ${path}`);
        nodes.set(target, nodes.get(temp)!);
        nodes.delete(temp);
        return { size: back.length, sha256 };
      } finally {
        nodes.delete(temp);
      }
    },
    async append(path, bytes) {
      const target = normalizePath(path);
      const existing = nodes.get(target);
      if (existing === undefined) putFile(target, bytes);
      else {
        if (existing.kind !== "file") throw hostError("EISDIR", `is a directory: ${path}`);
        const merged = new Uint8Array(existing.bytes.length + bytes.length);
        merged.set(existing.bytes);
        merged.set(bytes, existing.bytes.length);
        existing.bytes = merged;
        existing.mtimeMs = now();
      }
    },
    async flushDir(path) {
      mustDir(normalizePath(path));
    },
    async list(path) {
      const dir = normalizePath(path);
      mustDir(dir);
      const prefix = dir === "" ? "" : `${dir}/`;
      const names: string[] = [];
      for (const key of nodes.keys()) {
        if (key !== "" && key.startsWith(prefix) && !key.slice(prefix.length).includes("/")) names.push(key.slice(prefix.length));
      }
      return names.sort();
    },
    async stat(path): Promise<FileStat | undefined> {
      const node = nodes.get(normalizePath(path));
      return node === undefined ? undefined : { kind: node.kind, size: node.bytes.length, mtimeMs: node.mtimeMs };
    },
    async remove(path, options) {
      const target = normalizePath(path);
      const node = nodes.get(target);
      if (node === undefined || target === "") return;
      if (node.kind === "directory") {
        const prefix = `${target}/`;
        const children = [...nodes.keys()].filter((key) => key.startsWith(prefix));
        if (children.length > 0 && options?.recursive !== true) throw hostError("ENOTEMPTY", `directory not empty: ${path}`);
        for (const child of children) nodes.delete(child);
      }
      nodes.delete(target);
    },
    async rename(from, to) {
      const source = normalizePath(from);
      const target = normalizePath(to);
      const node = nodes.get(source);
      if (node === undefined) throw hostError("ENOENT", `no such file: ${from}`);
      mustDir(parentOf(target));
      if (node.kind === "directory") {
        if (nodes.has(target)) throw hostError("EEXIST", `exists: ${to}`);
        for (const key of [...nodes.keys()]) {
          if (key === source || key.startsWith(`${source}/`)) {
            nodes.set(target + key.slice(source.length), nodes.get(key)!);
            nodes.delete(key);
          }
        }
        return;
      }
      if (nodes.get(target)?.kind === "directory") throw hostError("EISDIR", `is a directory: ${to}`);
      nodes.set(target, node);
      if (source !== target) nodes.delete(source);
    },
    async mkdirp(path) {
      mkdirp(normalizePath(path));
    },
    async copy(from, to) {
      putFile(normalizePath(to), readFile(normalizePath(from)));
    },
    async diskSpace() {
      let used = 0;
      for (const node of nodes.values()) used += node.bytes.length;
      return { free: 1e12 - used, total: 1e12 };
    },
    snapshot() {
      const out = new Map<string, Uint8Array>();
      for (const [key, node] of nodes) if (node.kind === "file") out.set(key, node.bytes.slice());
      return out;
    },
  };
  return files;
}
