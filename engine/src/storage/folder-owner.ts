import { EngineError } from "../bridge/index.ts";
import type { ByteRange, HeldLock, HostPort } from "../host/index.ts";
import type { KvAdapter } from "./types.ts";

/** The file whose exclusive lock makes a process the data folder's one writer. */
export const OWNER_LOCK_PATH = "owner.lock";

/**
 * Takes the data folder's owner lock through the host's lock capability, or
 * fails with `storage.locked`. Hosts without the capability (memory, browser)
 * have nothing to share the folder with and open unlocked.
 */
export async function claimOwnerLock(host: HostPort): Promise<HeldLock | undefined> {
  if (host.lock === undefined) return undefined;
  let held: HeldLock | undefined;
  try {
    held = await host.lock.tryLock(OWNER_LOCK_PATH);
  } catch (error) {
    // On a read-only file system the lock file cannot even be created, and no process can write
    // the folder either: open without the lock, so reading still works and every write fails
    // with the file system's own error.
    if ((error as { code?: unknown } | undefined)?.code === "EROFS") return undefined;
    throw error;
  }
  if (held === undefined) throw new EngineError("storage.locked", "another process owns this data folder", { data: { lock: OWNER_LOCK_PATH } });
  return held;
}

/**
 * An adapter that reads committed state and never writes: no journal
 * recovery (an interrupted commit belongs to the owner that is still running),
 * and every commit refused with `storage.read_only`.
 */
export function readOnlyAdapter(inner: KvAdapter): KvAdapter {
  const refuse = async (): Promise<never> => {
    throw new EngineError("storage.read_only", "this data folder is open read-only (another process owns it)");
  };
  return {
    kind: inner.kind,
    get: (key) => inner.get(key),
    list: (prefix) => inner.list(prefix),
    commit: refuse,
    recover: async () => ({ rolledForward: 0, rolledBack: 0 }),
    ...(inner.size === undefined ? {} : { size: (key: string) => inner.size!(key) }),
    ...(inner.hashValue === undefined ? {} : { hashValue: (key: string) => inner.hashValue!(key) }),
    ...(inner.getRanges === undefined ? {} : { getRanges: (key: string, ranges: readonly ByteRange[]) => inner.getRanges!(key, ranges) }),
    adoptFile: refuse,
    close: () => inner.close(),
  };
}
