/**
 * The slice of storage the session feature uses. Storage (`engine/src/storage`)
 * implements it; the feature never keeps a second copy of anything durable.
 */
import type { AttachmentStorage, SessionStorage, Storage, Store } from "../storage/index.ts";

export type SessionStore = Pick<Store, "getJson" | "putJson" | "delete" | "list" | "flush">;
export type SessionItems = Pick<
  SessionStorage,
  | "getMetadata"
  | "saveMetadata"
  | "updateMetadata"
  | "listMetadata"
  | "appendScreenshot"
  | "appendAudioSegment"
  | "getScreenshots"
  | "getAudioSegments"
  | "getVideo"
  | "saveVideo"
  | "deleteSession"
> &
  Partial<Pick<SessionStorage, "addDeleteCascade">>;
export type SessionAttachments = Pick<AttachmentStorage, "registerExternalBlob">;

export interface SessionStoragePort {
  readonly store: SessionStore;
  readonly sessions: SessionItems;
  readonly attachments: SessionAttachments;
}

/** Store keys the session feature owns. */
export const KEYS = {
  machine: "machine/session.json",
  markers: (sessionId: string) => `markers/${sessionId}.json`,
  health: (sessionId: string) => `capture-health/${sessionId}.json`,
  integrity: (sessionId: string) => `integrity/${sessionId}.json`,
} as const;

function looksLikeStorage(value: unknown): value is SessionStoragePort {
  if (value === null || typeof value !== "object") return false;
  const candidate = value as Partial<Storage>;
  return typeof candidate.store === "object" && typeof candidate.sessions === "object" && typeof candidate.attachments === "object";
}

/** Finds storage among earlier features: the feature itself, or its `storage` property. */
export function resolveStorage(features: ReadonlyMap<string, unknown>): SessionStoragePort | undefined {
  const feature = features.get("storage");
  if (looksLikeStorage(feature)) return feature;
  const inner = (feature as { storage?: unknown } | undefined)?.storage;
  if (typeof inner === "function") {
    const value = (inner as () => unknown)();
    if (looksLikeStorage(value)) return value;
  }
  return looksLikeStorage(inner) ? inner : undefined;
}
