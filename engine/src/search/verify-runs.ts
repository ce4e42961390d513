import { decodePostings, layoutOf } from "./run.ts";
import { readHead, readManifest, runShardKey } from "./run-store.ts";
import type { SearchStorage } from "./search-store.ts";

/**
 * Reads every run the manifest lists, whole: each head must parse, each shard
 * must be present, as long as its terms say and decode to sessions the run
 * holds. Returns the sessions held by sound runs and the damaged runs.
 */
export async function verifyRuns(storage: SearchStorage): Promise<{ indexed: Set<string>; damaged: string[] }> {
  const indexed = new Set<string>();
  const damaged: string[] = [];
  const manifest = await readManifest(storage);
  for (const id of manifest?.runs ?? []) {
    const head = await readHead(storage, id);
    if (head === undefined || !(await shardsSound(storage, id, head))) {
      damaged.push(id);
      continue;
    }
    for (const session of head.sessions) indexed.add(session.id);
  }
  return { indexed, damaged };
}

async function shardsSound(storage: SearchStorage, id: string, head: NonNullable<Awaited<ReturnType<typeof readHead>>>): Promise<boolean> {
  const layout = layoutOf(head);
  for (let k = 0; k < head.shards.length; k++) {
    const bytes = await storage.store.get(runShardKey(id, k)).catch(() => undefined);
    if (bytes === undefined) return false;
    const from = head.shards[k]!;
    const to = head.shards[k + 1] ?? head.terms.length;
    let length = 0;
    for (let t = from; t < to; t++) length += head.bytes[t]!;
    if (bytes.length !== length) return false;
    try {
      for (let t = from; t < to; t++) {
        let docs = 0;
        const start = layout.offsetOf[t]!;
        decodePostings(bytes, start, start + head.bytes[t]!, (session, _doc, _tf, _length, kind) => {
          if (session >= head.sessions.length || kind > 9) throw new RangeError("posting out of range");
          docs++;
        });
        if (docs !== head.df[t]) return false;
      }
    } catch {
      return false;
    }
  }
  return true;
}
