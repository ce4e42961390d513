import { EngineError } from "../bridge/index.ts";
import { isSessionId, isSha256Hex } from "../domain/index.ts";

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;
/** Folders only storage itself writes. */
export const RESERVED_PREFIXES = ["journal/", "quarantine/"] as const;

/** True for a key every adapter can hold: `/`-separated segments of `[A-Za-z0-9._-]`, no `..`, no leading dot. */
export function isValidKey(key: string): boolean {
  if (key.length === 0 || key.length > 1000) return false;
  for (const segment of key.split("/")) {
    if (!SEGMENT.test(segment) || segment.includes("..") || segment.includes(".tmp")) return false;
  }
  return true;
}

/** Rejects malformed keys before they reach an adapter (and become paths). */
export function mustBeValidKey(key: string, options: { readonly allowReserved?: boolean } = {}): string {
  if (!isValidKey(key)) throw new EngineError("storage.invalid_id", `invalid storage key: ${JSON.stringify(key.slice(0, 120))}`);
  if (options.allowReserved !== true && RESERVED_PREFIXES.some((prefix) => key.startsWith(prefix))) {
    throw new EngineError("storage.invalid_id", `storage key is reserved: ${key}`);
  }
  return key;
}

/** Rejects anything but a lower-case UUID: the check that keeps hostile ids out of paths. */
export function mustBeSessionId(id: unknown): string {
  if (!isSessionId(id)) throw new EngineError("storage.invalid_id", `invalid session id: ${JSON.stringify(String(id).slice(0, 80))}`);
  return id;
}

export function mustBeAttachmentId(id: unknown): string {
  if (!isSha256Hex(id)) throw new EngineError("storage.invalid_id", `invalid attachment id: ${JSON.stringify(String(id).slice(0, 80))}`);
  return id;
}

export const INDEX_KEY = "sessions/metadata/index.json";
export const metadataKey = (sessionId: string) => `sessions/metadata/${mustBeSessionId(sessionId)}.json`;
export const screenshotChunkKey = (sessionId: string, chunkIndex: number) => `screenshots/${mustBeSessionId(sessionId)}/${chunkIndex}.json`;
export const audioChunkKey = (sessionId: string, chunkIndex: number) => `audio/${mustBeSessionId(sessionId)}/${chunkIndex}.json`;
export const summaryKey = (sessionId: string) => `summaries/${mustBeSessionId(sessionId)}.json`;
export const videoKey = (sessionId: string) => `videos/${mustBeSessionId(sessionId)}.json`;
export const blobKey = (attachmentId: string) => `attachments/blobs/${mustBeAttachmentId(attachmentId)}.dat`;
export const attachmentMetaKey = (attachmentId: string) => `attachments/metadata/${mustBeAttachmentId(attachmentId)}.json`;

/** Session id from `sessions/metadata/{id}.json`, or undefined for the index and strays. */
export function sessionIdFromMetadataKey(key: string): string | undefined {
  const match = /^sessions\/metadata\/([0-9a-f-]{36})\.json$/.exec(key);
  return match !== null && isSessionId(match[1]) ? match[1] : undefined;
}

export function attachmentIdFromMetaKey(key: string): string | undefined {
  const match = /^attachments\/metadata\/([0-9a-f]{64})\.json$/.exec(key);
  return match?.[1];
}

export function attachmentIdFromBlobKey(key: string): string | undefined {
  const match = /^attachments\/blobs\/([0-9a-f]{64})\.dat$/.exec(key);
  return match?.[1];
}

/** Maps a host file error to the engine's codes: a full disk is `storage.disk_full`, never "corrupt". */
export function toStorageError(error: unknown, what: string): EngineError {
  if (error instanceof EngineError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case "ENOSPC":
      return new EngineError("storage.disk_full", `disk full while ${what}`, { retryable: true, cause: error });
    case "EACCES":
      return new EngineError("storage.permission_denied", `permission denied while ${what}: ${message}`, { cause: error });
    default:
      return new EngineError("storage.io", `I/O error while ${what}: ${message}`, { retryable: true, cause: error });
  }
}
