import * as z from "zod";
import { EngineError } from "../bridge/index.ts";
import type { CryptoPort } from "../host/index.ts";
import { decodeUtf8 as utf8Decode, encodeUtf8 as utf8Encode } from "./codec.ts";
import { CHUNK_SIZE, SessionIdSchema, Sha256HexSchema } from "../domain/index.ts";

/**
 * A chunk file as read back: the envelope is checked by zod; the items are
 * covered by the SHA-256 checksum (they were validated when written), which
 * keeps an 8-hour hydration from re-validating thousands of items.
 */
const ChunkEnvelopeSchema = z.object({
  sessionId: SessionIdSchema,
  chunkIndex: z.number().int().nonnegative(),
  items: z.array(z.unknown()).max(CHUNK_SIZE),
  compressedSize: z.number().int().nonnegative(),
  checksum: Sha256HexSchema,
  createdAt: z.number(),
  updatedAt: z.number().optional(),
});

export interface StoredChunk<T> {
  readonly sessionId: string;
  readonly chunkIndex: number;
  readonly items: T[];
  readonly compressedSize: number;
  readonly checksum: string;
  readonly createdAt: number;
  readonly updatedAt?: number;
  /** Size of the encoded file. */
  readonly bytes: number;
}

/** Serializes a chunk with its checksum over the items' JSON. */
export async function encodeChunk<T>(
  crypto: CryptoPort,
  chunk: { sessionId: string; chunkIndex: number; items: readonly T[]; createdAt: number; updatedAt?: number },
): Promise<{ bytes: Uint8Array; chunk: StoredChunk<T> }> {
  const itemsJson = JSON.stringify(chunk.items);
  const payload = utf8Encode(itemsJson);
  const checksum = await crypto.sha256(payload);
  const record = { sessionId: chunk.sessionId, chunkIndex: chunk.chunkIndex, items: chunk.items, compressedSize: payload.length, checksum, createdAt: chunk.createdAt, updatedAt: chunk.updatedAt };
  // The items' JSON is spliced in rather than serialized a second time.
  const head = JSON.stringify({ sessionId: record.sessionId, chunkIndex: record.chunkIndex, compressedSize: record.compressedSize, checksum, createdAt: record.createdAt, updatedAt: record.updatedAt });
  const bytes = utf8Encode(`${head.slice(0, -1)},"items":${itemsJson}}`);
  return { bytes, chunk: { ...record, items: [...chunk.items], bytes: bytes.length } };
}

/** Decodes and checks a chunk; a bad one is `storage.chunk_corrupt` (or `storage.checksum_mismatch`). */
export async function decodeChunk<T>(crypto: CryptoPort, key: string, bytes: Uint8Array, expect: { sessionId: string; chunkIndex: number }): Promise<StoredChunk<T>> {
  let raw: unknown;
  try {
    raw = JSON.parse(utf8Decode(bytes));
  } catch (cause) {
    throw new EngineError("storage.chunk_corrupt", `${key} is not valid JSON`, { cause, data: { key, ...expect } });
  }
  const parsed = ChunkEnvelopeSchema.safeParse(raw);
  if (!parsed.success) throw new EngineError("storage.chunk_corrupt", `${key} does not match the chunk schema`, { data: { key, ...expect } });
  const chunk = parsed.data;
  if (chunk.sessionId !== expect.sessionId || chunk.chunkIndex !== expect.chunkIndex) {
    throw new EngineError("storage.chunk_corrupt", `${key} belongs to another session or position`, { data: { key, ...expect } });
  }
  const payload = itemsBytes(bytes, chunk.compressedSize) ?? utf8Encode(JSON.stringify(chunk.items));
  const checksum = await crypto.sha256(payload);
  if (checksum !== chunk.checksum || payload.length !== chunk.compressedSize) {
    throw new EngineError("storage.checksum_mismatch", `${key} fails its checksum`, { data: { key, ...expect } });
  }
  return { ...chunk, items: chunk.items as T[], bytes: bytes.length };
}

const ITEMS_MARK = [44, 34, 105, 116, 101, 109, 115, 34, 58]; // ,"items":

/**
 * The stored bytes of the items array, when the file has the layout
 * `encodeChunk` writes (items last): hashing them avoids re-serializing.
 */
function itemsBytes(bytes: Uint8Array, expectedLength: number): Uint8Array | undefined {
  const start = bytes.length - 1 - expectedLength;
  if (start < ITEMS_MARK.length || bytes[bytes.length - 1] !== 125) return undefined;
  for (let i = 0; i < ITEMS_MARK.length; i++) if (bytes[start - ITEMS_MARK.length + i] !== ITEMS_MARK[i]) return undefined;
  return bytes.subarray(start, bytes.length - 1);
}

export const chunkIndexOf = (itemIndex: number) => Math.floor(itemIndex / CHUNK_SIZE);
