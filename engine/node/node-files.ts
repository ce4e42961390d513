import { createHash } from "node:crypto";
import { closeSync, constants, createReadStream, openSync, readSync } from "node:fs";
import * as fs from "node:fs/promises";
import { dirname, isAbsolute, join, sep } from "node:path";
import type { ByteRange, FilesPort, FileStat, WriteResult } from "../src/host/index.ts";
import { hostError } from "../src/host/index.ts";

const KNOWN_CODES = new Set(["ENOENT", "EEXIST", "ENOTDIR", "EISDIR", "ENOTEMPTY", "EACCES", "ENOSPC", "EIO", "EINVAL"]);

/** Maps a Node fs error onto the host port's codes (EPERM → EACCES, EDQUOT → ENOSPC, others → EIO). */
export function toHostFileError(error: unknown, path: string): Error {
  const code = (error as { code?: string })?.code ?? "EIO";
  const mapped = KNOWN_CODES.has(code) ? code : code === "EPERM" || code === "EROFS" ? "EACCES" : code === "EDQUOT" || code === "EFBIG" ? "ENOSPC" : "EIO";
  return hostError(mapped, `${mapped}: ${(error as Error)?.message ?? String(error)} (${path})`);
}

/** Resolves a host path: relative against the root, absolute as given, `..` refused. */
export function resolveHostPath(root: string, path: string): string {
  if (path.split(/[\\/]/).includes("..")) throw hostError("EINVAL", `path may not contain "..": ${path}`);
  return isAbsolute(path) ? path : join(root, path);
}

async function fsyncPath(path: string, directory: boolean): Promise<void> {
  const handle = await fs.open(path, directory ? constants.O_RDONLY | constants.O_DIRECTORY : constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

let tempCounter = 0;

/** The data folder is the user's alone: folders 0700, files 0600 (the umask can only narrow these). */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** The files capability over node:fs with the durability recipe. */
export function createNodeFiles(root: string): FilesPort {
  const wrap = async <T>(path: string, run: (absolute: string) => Promise<T>): Promise<T> => {
    const absolute = resolveHostPath(root, path);
    try {
      return await run(absolute);
    } catch (error) {
      throw toHostFileError(error, path);
    }
  };
  return {
    read: (path) =>
      wrap(path, async (absolute) => {
        const buffer = await fs.readFile(absolute);
        // A file's own buffer becomes a plain Uint8Array view without a copy; a pooled one (small files) is copied out.
        return buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength ? new Uint8Array(buffer.buffer, 0, buffer.byteLength) : new Uint8Array(buffer);
      }),
    readRanges: (path, ranges) => wrap(path, (absolute) => readRangesNode(absolute, ranges)),
    writeAtomic: (path, bytes, options) =>
      wrap(path, async (absolute): Promise<WriteResult> => {
        const directory = dirname(absolute);
        await fs.mkdir(directory, { recursive: true, mode: DIR_MODE });
        const temp = `${absolute}.tmp-${process.pid}-${++tempCounter}`;
        try {
          const handle = await fs.open(temp, "wx", FILE_MODE);
          try {
            await handle.writeFile(bytes);
            await handle.sync();
          } finally {
            await handle.close();
          }
          // Read back before publishing: a write that silently failed must not be renamed into place.
          const back = await fs.readFile(temp);
          const sha256 = createHash("sha256").update(back).digest("hex");
          const expected = createHash("sha256").update(bytes).digest("hex");
          if (back.length !== bytes.length || sha256 !== expected) throw hostError("EIO", `verification failed after writing ${path}`);
          await fs.rename(temp, absolute);
          if (options?.flushDir !== false) await fsyncPath(directory, true);
          return { size: back.length, sha256 };
        } catch (error) {
          await fs.rm(temp, { force: true }).catch(() => undefined);
          throw error;
        }
      }),
    append: (path, bytes) =>
      wrap(path, async (absolute) => {
        const handle = await fs.open(absolute, "a", FILE_MODE);
        try {
          await handle.write(bytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
      }),
    flushDir: (path) => wrap(path, (absolute) => fsyncPath(absolute, true)),
    list: (path) => wrap(path, async (absolute) => (await fs.readdir(absolute)).sort()),
    stat: (path) =>
      wrap(path, async (absolute): Promise<FileStat | undefined> => {
        try {
          const stat = await fs.stat(absolute);
          return { kind: stat.isDirectory() ? "directory" : "file", size: stat.size, mtimeMs: stat.mtimeMs };
        } catch (error) {
          if ((error as { code?: string }).code === "ENOENT") return undefined;
          throw error;
        }
      }),
    remove: (path, options) =>
      wrap(path, async (absolute) => {
        const stat = await fs.lstat(absolute).catch(() => undefined);
        if (stat === undefined) return;
        if (stat.isDirectory()) {
          if (options?.recursive === true) await fs.rm(absolute, { recursive: true, force: true });
          else await fs.rmdir(absolute);
        } else await fs.unlink(absolute);
      }),
    rename: (from, to) => wrap(from, async (absolute) => fs.rename(absolute, resolveHostPath(root, to))),
    mkdirp: (path) => wrap(path, async (absolute) => void (await fs.mkdir(absolute, { recursive: true, mode: DIR_MODE }))),
    copy: (from, to) =>
      wrap(from, async (absolute) => {
        const target = resolveHostPath(root, to);
        await fs.mkdir(dirname(target), { recursive: true, mode: DIR_MODE });
        await fs.copyFile(absolute, target);
        await fs.chmod(target, FILE_MODE);
        await fsyncPath(target, false);
      }),
    confine: (path, area) =>
      wrap(path, async (absolute) => {
        if (isAbsolute(path) || isAbsolute(area)) throw hostError("EACCES", `confined paths are data-relative: ${path}`);
        const stat = await fs.lstat(absolute);
        if (!stat.isFile()) throw hostError("EACCES", `not a plain file (a link, folder or device): ${path}`);
        if (stat.nlink > 1) throw hostError("EACCES", `the file has other hard links: ${path}`);
        // Resolved after every link in the path: a linked folder on the way leads elsewhere.
        const [real, rootReal] = await Promise.all([fs.realpath(absolute), fs.realpath(root)]);
        if (!real.startsWith(join(rootReal, area) + sep)) throw hostError("EACCES", `resolves outside ${area}: ${path}`);
      }),
    diskSpace: (path) =>
      wrap(path, async (absolute) => {
        let probe = absolute;
        for (;;) {
          try {
            const stats = await fs.statfs(probe);
            return { free: stats.bavail * stats.bsize, total: stats.blocks * stats.bsize };
          } catch (error) {
            const parent = dirname(probe);
            if ((error as { code?: string }).code !== "ENOENT" || parent === probe) throw error;
            probe = parent;
          }
        }
      }),
  };
}

/** SHA-256 and size of a file, streamed. */
export function sha256FileNode(absolute: string): Promise<WriteResult> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    let size = 0;
    createReadStream(absolute)
      .on("data", (chunk) => {
        size += chunk.length;
        hash.update(chunk);
      })
      .on("error", reject)
      .on("end", () => resolve({ size, sha256: hash.digest("hex") }));
  });
}

/**
 * Ranges read through one scratch buffer: nearby spans go out as one read, and
 * only the bytes asked are kept. The reads are synchronous: a handful of reads
 * from the page cache cost less than the thread-pool round trips they would
 * take (each one a scheduling wait on a loaded machine), and callers ask for
 * a few hundred kilobytes at most.
 */
const SCRATCH_BYTES = 64 * 1024;
const GAP_BYTES = 16 * 1024;

async function readRangesNode(absolute: string, ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
  let total = 0;
  for (const { offset, length } of ranges) {
    if (!(Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0)) throw hostError("EINVAL", `bad range ${offset}+${length}`);
    total += length;
  }
  const out = new Uint8Array(total);
  const slots: number[] = [];
  let at = 0;
  for (const { length } of ranges) {
    slots.push(at);
    at += length;
  }
  // Wanted spans in file order, grouped into reads of at most SCRATCH_BYTES.
  const order = ranges.map((_, i) => i).filter((i) => ranges[i]!.length > 0);
  if (order.some((i, k) => k > 0 && ranges[i]!.offset < ranges[order[k - 1]!]!.offset)) order.sort((a, b) => ranges[a]!.offset - ranges[b]!.offset);
  const fd = openSync(absolute, "r");
  try {
    let scratch: Uint8Array | undefined;
    let next = 0;
    while (next < order.length) {
      const first = ranges[order[next]!]!;
      if (first.length > SCRATCH_BYTES) {
        readFully(fd, out, slots[order[next]!]!, first.length, first.offset);
        next++;
        continue;
      }
      const start = first.offset;
      let end = start + first.length;
      let last = next;
      while (last + 1 < order.length) {
        const candidate = ranges[order[last + 1]!]!;
        const candidateEnd = Math.max(end, candidate.offset + candidate.length);
        if (candidate.offset - end > GAP_BYTES || candidateEnd - start > SCRATCH_BYTES) break;
        end = candidateEnd;
        last++;
      }
      scratch ??= new Uint8Array(SCRATCH_BYTES);
      readFully(fd, scratch, 0, end - start, start);
      for (let k = next; k <= last; k++) {
        const range = ranges[order[k]!]!;
        out.set(scratch.subarray(range.offset - start, range.offset - start + range.length), slots[order[k]!]!);
      }
      next = last + 1;
    }
  } finally {
    closeSync(fd);
  }
  return ranges.map(({ length }, i) => out.subarray(slots[i]!, slots[i]! + length));
}

function readFully(fd: number, into: Uint8Array, at: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const bytesRead = readSync(fd, into, at + done, length - done, position + done);
    if (bytesRead === 0) throw hostError("EINVAL", `range ${position}+${length} reaches past the end of the file`);
    done += bytesRead;
  }
}
