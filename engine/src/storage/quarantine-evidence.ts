/**
 * What the quarantine still tells: every file moved there keeps its bytes and
 * its original key (`quarantine/<key with / as __>.<time>`). Repair and gc read
 * it so that nothing a quarantined record names is ever deleted, and so that
 * a session whose metadata was quarantined can be brought back.
 */
import { sessionIdFromMetadataKey } from "./keys.ts";
import type { SessionCore } from "./session-reads.ts";

export interface QuarantinedFile {
  readonly key: string;
  /** The key the file had before it was moved. */
  readonly original: string;
  /** The session the original key belongs to, when it names one. */
  readonly sessionId?: string;
}

export interface QuarantineEvidence {
  readonly files: readonly QuarantinedFile[];
  /** Attachment ids (64 hex digits) named in quarantined records → the sessions those records belonged to. */
  readonly namedIds: ReadonlyMap<string, ReadonlySet<string>>;
  /** Sessions whose metadata file sits in the quarantine. */
  readonly metadataSessions: ReadonlySet<string>;
}

// Records are small; a quarantined blob is content, not a record, and is not scanned.
const MAX_SCANNED_BYTES = 16 * 1024 * 1024;

/** The original key of a quarantined file. */
export function originalKeyOf(quarantineKey: string): string | undefined {
  const match = /^quarantine\/(.+)\.\d+$/.exec(quarantineKey);
  return match === null ? undefined : match[1]!.replaceAll("__", "/");
}

/** The session a record key belongs to (chunks, packs, metadata, video records). */
export function sessionOfKey(key: string): string | undefined {
  const match = /^(?:screenshots|audio)\/([0-9a-f-]{36})\/[^/]+$/.exec(key) ?? /^videos\/([0-9a-f-]{36})\.json$/.exec(key) ?? /^summaries\/([0-9a-f-]{36})\.json$/.exec(key);
  return match?.[1] ?? sessionIdFromMetadataKey(key);
}

/** Every run of exactly 64 lower-case hex digits in `bytes`. */
export function hexIdsIn(bytes: Uint8Array): Set<string> {
  const ids = new Set<string>();
  let start = -1;
  const isHex = (b: number) => (b >= 48 && b <= 57) || (b >= 97 && b <= 102);
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && isHex(bytes[i]!)) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start === 64) {
      let id = "";
      for (let j = start; j < i; j++) id += String.fromCharCode(bytes[j]!);
      ids.add(id);
    }
    start = -1;
  }
  return ids;
}

export async function readQuarantine(core: SessionCore): Promise<QuarantineEvidence> {
  const files: QuarantinedFile[] = [];
  const namedIds = new Map<string, Set<string>>();
  const metadataSessions = new Set<string>();
  for (const key of await core.store.list("quarantine/")) {
    const original = originalKeyOf(key);
    if (original === undefined) continue;
    const sessionId = sessionOfKey(original);
    files.push({ key, original, ...(sessionId === undefined ? {} : { sessionId }) });
    if (sessionIdFromMetadataKey(original) !== undefined) metadataSessions.add(sessionIdFromMetadataKey(original)!);
    if (original.startsWith("attachments/blobs/")) continue;
    const size = (await core.store.adapter.size?.(key)) ?? 0;
    if (size > MAX_SCANNED_BYTES) continue;
    const bytes = await core.store.get(key);
    if (bytes === undefined) continue;
    for (const id of hexIdsIn(bytes)) {
      let sessions = namedIds.get(id);
      if (sessions === undefined) namedIds.set(id, (sessions = new Set()));
      if (sessionId !== undefined) sessions.add(sessionId);
    }
  }
  return { files, namedIds, metadataSessions };
}
