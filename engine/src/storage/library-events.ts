import * as z from "zod";
import { SessionMetadataSchema, type SessionMetadata } from "../domain/index.ts";

/**
 * The engine event sent whenever a session is added, changed or deleted, by
 * any path (recording, enrichment, import, delete, retention, a forwarded
 * `stint` command). The panel applies it to its list and open detail.
 */
export const LIBRARY_CHANGED_EVENT = "library.changed";

/** Params of {@link LIBRARY_CHANGED_EVENT}; `entry` is the session's list-index entry (absent on delete). */
export const LibraryChangeSchema = z.object({
  kind: z.enum(["added", "changed", "deleted"]),
  sessionId: z.string(),
  entry: SessionMetadataSchema.optional(),
});
export type LibraryChange = { readonly kind: "added" | "changed" | "deleted"; readonly sessionId: string; readonly entry?: SessionMetadata };

/** How often item appends (a screenshot a second while recording) may announce a change per session. */
export const APPEND_CHANGE_INTERVAL_MS = 1000;
