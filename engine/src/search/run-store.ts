import * as z from "zod";
/** Where a run's files go: a transaction, or a delete's cascade. */
export interface RunWrites {
  put(key: string, value: Uint8Array): void;
  putJson(key: string, value: unknown): void;
  delete(key: string): void;
}
import { checkHead, RunHeadSchema, type BuiltRun, type RunHead } from "./run.ts";
import type { SearchStorage } from "./search-store.ts";

/** Which runs make up the index, committed with every change to them. */
export const MANIFEST_KEY = "search/manifest.json";
export const ManifestSchema = z.object({ v: z.literal(1), runs: z.array(z.string().regex(/^r\d{9}$/)), next: z.number().int().nonnegative() });
export type Manifest = z.infer<typeof ManifestSchema>;

// Flat names: a folder per run would stay behind, empty, on a file system once the run is merged away.
export const runHeadKey = (id: string) => `search/runs/${id}.head.json`;
export const runShardKey = (id: string, k: number) => `search/runs/${id}.${k}.bin`;
export const runKeyPrefix = (id: string) => `search/runs/${id}.`;
/** Ids sort as they were made, so the newest copy of a session wins. */
export const runId = (n: number) => `r${String(n).padStart(9, "0")}`;

export async function readManifest(storage: SearchStorage): Promise<Manifest | undefined> {
  return storage.store.getJson(MANIFEST_KEY, ManifestSchema).catch(() => undefined);
}

export async function readHead(storage: SearchStorage, id: string): Promise<RunHead | undefined> {
  const raw = await storage.store.getJson(runHeadKey(id), RunHeadSchema).catch(() => undefined);
  if (raw === undefined || raw.id !== id) return undefined;
  try {
    return checkHead(raw);
  } catch {
    return undefined;
  }
}

export function writeRun(tx: RunWrites, run: BuiltRun): void {
  tx.putJson(runHeadKey(run.head.id), run.head);
  for (const [k, bytes] of run.shards.entries()) tx.put(runShardKey(run.head.id, k), bytes);
}

export function deleteRun(tx: RunWrites, head: RunHead): void {
  tx.delete(runHeadKey(head.id));
  for (let k = 0; k < head.shards.length; k++) tx.delete(runShardKey(head.id, k));
}

/** Recently read shards, up to a byte budget (the newest runs' shards are small and hot). */
export function createShardCache(budgetBytes: number) {
  const entries = new Map<string, Uint8Array>();
  let bytes = 0;
  return {
    get(key: string): Uint8Array | undefined {
      const found = entries.get(key);
      if (found !== undefined) {
        entries.delete(key);
        entries.set(key, found);
      }
      return found;
    },
    set(key: string, value: Uint8Array): void {
      const old = entries.get(key);
      if (old !== undefined) bytes -= old.length;
      entries.delete(key);
      entries.set(key, value);
      bytes += value.length;
      for (const [oldest, held] of entries) {
        if (bytes <= budgetBytes || entries.size === 1) break;
        entries.delete(oldest);
        bytes -= held.length;
      }
    },
    delete(key: string): void {
      const held = entries.get(key);
      if (held === undefined) return;
      entries.delete(key);
      bytes -= held.length;
    },
    dropPrefix(prefix: string): void {
      for (const [key, held] of entries) {
        if (!key.startsWith(prefix)) continue;
        entries.delete(key);
        bytes -= held.length;
      }
    },
    clear(): void {
      entries.clear();
      bytes = 0;
    },
  };
}
