import type { ListQuery, SessionDetail, SessionRow } from "./review-schemas.ts";

/**
 * Where the review feature reads sessions from. The stored library maps the
 * storage, session and enrichment features' records into review views; the
 * demo library generates them.
 */
export interface ReviewLibrary {
  readonly kind: "storage" | "demo" | "none";
  list(query: ListQuery): Promise<SessionRow[]>;
  detail(id: string): Promise<SessionDetail | undefined>;
  /** Attachment bytes by digest, for the shell's blob route; never sent over the bridge. */
  readBlob(digest: string): Promise<{ readonly bytes: Uint8Array; readonly mimeType: string } | undefined>;
}

/** The library when no storage feature is present: empty, and it says so. */
export const EMPTY_LIBRARY: ReviewLibrary = {
  kind: "none",
  list: async () => [],
  detail: async () => undefined,
  readBlob: async () => undefined,
};
