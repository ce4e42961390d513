import { createHash } from "node:crypto";
import { constants, createReadStream } from "node:fs";
import * as fs from "node:fs/promises";
import { dirname, isAbsolute, join, sep } from "node:path";
import type { FilesPort, FileStat, WriteResult } from "../src/host/index.ts";
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
    read: (path) => wrap(path, async (absolute) => new Uint8Array(await fs.readFile(absolute))),
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
