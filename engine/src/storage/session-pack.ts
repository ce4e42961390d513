import * as z from "zod";
import type { SessionMetadata } from "../domain/index.ts";
import { SessionIdSchema, Sha256HexSchema } from "../domain/index.ts";
import { decodeUtf8, encodeUtf8 } from "./codec.ts";
import { mustBeSessionId } from "./keys.ts";
import { readItems, type ItemKind, type SessionCore } from "./session-reads.ts";

/**
 * A read-optimized copy of a finished session's items: every chunk's items in
 * one checksummed file, written in the background when a session ends (or
 * after enrichment rewrites items). Hydrating 8 hours then reads one file
 * instead of hundreds. The chunks stay the source of truth: a pack is used
 * only while its counts and lost chunks match the metadata, and every write
 * that changes items deletes it in the same commit.
 */
export const packKey = (kind: ItemKind, sessionId: string) => `${kind}/${mustBeSessionId(sessionId)}/pack.json`;

const PackSchema = z.object({
  sessionId: SessionIdSchema,
  itemCount: z.number().int().nonnegative(),
  chunkCount: z.number().int().nonnegative(),
  lostChunks: z.array(z.number().int().nonnegative()),
  compressedSize: z.number().int().nonnegative(),
  checksum: Sha256HexSchema,
  items: z.array(z.unknown()),
});

const ITEMS_MARK = [44, 34, 105, 116, 101, 109, 115, 34, 58]; // ,"items":

/** A pack's checked contents, whatever the metadata says now (repair restores chunks from it). */
export interface PackContents<T> {
  readonly itemCount: number;
  readonly chunkCount: number;
  readonly lostChunks: readonly number[];
  readonly items: T[];
}

/** Reads and checks a session's pack without comparing it to the metadata; undefined when absent or bad. */
export async function readPackContents<T>(core: SessionCore, kind: ItemKind, sessionId: string): Promise<PackContents<T> | undefined> {
  const bytes = await core.store.get(packKey(kind, sessionId));
  if (bytes === undefined) return undefined;
  try {
    const pack = PackSchema.parse(JSON.parse(decodeUtf8(bytes)));
    if (pack.sessionId !== sessionId) return undefined;
    const start = bytes.length - 1 - pack.compressedSize;
    let payload: Uint8Array = bytes.subarray(start, bytes.length - 1);
    for (let i = 0; i < ITEMS_MARK.length; i++) if (bytes[start - ITEMS_MARK.length + i] !== ITEMS_MARK[i]) payload = encodeUtf8(JSON.stringify(pack.items));
    if ((await core.host.crypto.sha256(payload)) !== pack.checksum) return undefined;
    return { itemCount: pack.itemCount, chunkCount: pack.chunkCount, lostChunks: pack.lostChunks, items: pack.items as T[] };
  } catch {
    return undefined; // a bad pack is only a missed shortcut: the chunks answer
  }
}

export async function readPack<T>(core: SessionCore, kind: ItemKind, metadata: SessionMetadata): Promise<T[] | undefined> {
  const refs = metadata[kind];
  if (refs.itemCount === 0) return undefined;
  const pack = await readPackContents<T>(core, kind, metadata.id);
  if (pack === undefined || pack.itemCount !== refs.itemCount || pack.chunkCount !== refs.chunkCount || pack.lostChunks.join(",") !== refs.lostChunks.join(",")) return undefined;
  return pack.items;
}

/** Builds the packs of a finished session from its chunks (skipped when any chunk is unreadable). */
export async function buildPacks(core: SessionCore, sessionId: string): Promise<void> {
  await core.lock(async () => {
    const metadata = core.metaCache.get(sessionId) ?? (await core.store.getJson(`sessions/metadata/${mustBeSessionId(sessionId)}.json`, { parse: (v) => v as SessionMetadata }).catch(() => undefined));
    if (metadata === undefined || metadata.status === "active" || metadata.status === "paused") return;
    for (const kind of ["screenshots", "audio"] as const) {
      const refs = metadata[kind];
      if (refs.itemCount === 0 || (await readPack(core, kind, metadata)) !== undefined) continue;
      const { items, problems } = await readItems(core, kind, metadata, {}, { inLock: true, skipPack: true });
      if (problems.length > 0) continue;
      const itemsJson = JSON.stringify(items);
      const payload = encodeUtf8(itemsJson);
      const checksum = await core.host.crypto.sha256(payload);
      const head = JSON.stringify({ sessionId, itemCount: refs.itemCount, chunkCount: refs.chunkCount, lostChunks: refs.lostChunks, compressedSize: payload.length, checksum });
      void core.store.commitOps([{ type: "put", key: packKey(kind, sessionId), value: encodeUtf8(`${head.slice(0, -1)},"items":${itemsJson}}`) }], { priority: "low" }).catch(() => undefined);
    }
  });
}
