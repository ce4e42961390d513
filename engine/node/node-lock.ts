import { closeSync, openSync } from "node:fs";
import { createRequire } from "node:module";
import type { HeldLock, LockPort } from "../src/host/index.ts";

/** Node's handles always can be released (a `stint` command gives the folder up when it ends). */
export type NodeHeldLock = Required<HeldLock>;
import { resolveHostPath } from "./node-files.ts";

/**
 * `flock(2)` for Node, through fs-ext (a small native addon; Node itself has
 * no file locks). A kernel lock rather than a lock file with a pid and a
 * heartbeat because:
 * - it dies with its process: a SIGKILLed owner leaves nothing to judge stale,
 *   so no timeout can ever let a second writer in while the first still runs;
 * - the Mac app (Swift) and the JavaScriptCore host lock the same file with the
 *   same call, so every kind of owner excludes every other.
 * Without the addon (not built on this machine) the capability is absent and
 * the command says so; nothing pretends to lock.
 */
type Flock = (fd: number, flags: "exnb" | "un") => void;

let flockSync: Flock | null | undefined;

function loadFlock(): Flock | undefined {
  if (flockSync === undefined) {
    try {
      flockSync = (createRequire(import.meta.url)("fs-ext") as { flockSync: Flock }).flockSync;
    } catch {
      flockSync = null;
    }
  }
  return flockSync ?? undefined;
}

/** Locks this process holds, by absolute path: the lock belongs to the process, handles are counted. */
const held = new Map<string, { fd: number; handles: number }>();

function handleFor(path: string): NodeHeldLock {
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      const entry = held.get(path);
      if (entry === undefined) return;
      entry.handles -= 1;
      if (entry.handles > 0) return;
      held.delete(path);
      try {
        loadFlock()?.(entry.fd, "un");
      } finally {
        closeSync(entry.fd);
      }
    },
  };
}

/** Takes the lock on an absolute path synchronously; undefined when another process holds it. */
export function tryLockFile(absolute: string): NodeHeldLock | undefined {
  const flock = loadFlock();
  if (flock === undefined) throw new Error("file locks are unavailable: the fs-ext addon is not built (run `npm rebuild fs-ext`)");
  const entry = held.get(absolute);
  if (entry !== undefined) {
    entry.handles += 1;
    return handleFor(absolute);
  }
  const fd = openSync(absolute, "a", 0o600);
  try {
    flock(fd, "exnb");
  } catch (error) {
    closeSync(fd);
    const code = (error as { code?: string }).code;
    if (code === "EAGAIN" || code === "EWOULDBLOCK") return undefined;
    throw error;
  }
  held.set(absolute, { fd, handles: 1 });
  return handleFor(absolute);
}

/** True when this Node can take file locks. */
export function locksAvailable(): boolean {
  return loadFlock() !== undefined;
}

/** The host port's lock capability over a data directory, or undefined without the addon. */
export function createNodeLock(dataDir: string): LockPort | undefined {
  if (!locksAvailable()) return undefined;
  return {
    async tryLock(path) {
      return tryLockFile(resolveHostPath(dataDir, path));
    },
  };
}
