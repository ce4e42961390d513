import * as z from "zod";
import { AttachmentIdSchema, EpochMsSchema, SessionIdSchema, Sha256HexSchema } from "./ids.ts";

export const AttachmentTypeSchema = z.enum(["screenshot", "audio", "video", "thumbnail", "other"]);
export type AttachmentType = z.infer<typeof AttachmentTypeSchema>;

/** `attachments/metadata/{id}.json`; the bytes live in `attachments/blobs/{contentHash}.dat`. */
export const AttachmentSchema = z.object({
  /** Equal to `contentHash`: attachments are content-addressed, so saving the same bytes twice is one attachment. */
  id: AttachmentIdSchema,
  contentHash: Sha256HexSchema,
  /** Store key of the blob. */
  storageKey: z.string(),
  /** Equals `referencedBy.length`: one reference per session, however often the session uses it. */
  refCount: z.number().int().nonnegative(),
  referencedBy: z.array(SessionIdSchema),
  type: AttachmentTypeSchema,
  mimeType: z.string().max(200),
  size: z.number().int().nonnegative(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  durationMs: z.number().nonnegative().optional(),
  createdAt: EpochMsSchema,
  lastAccessedAt: EpochMsSchema,
  thumbnail: z.object({ attachmentId: AttachmentIdSchema, width: z.number().int().positive(), height: z.number().int().positive() }).optional(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

/** What a caller describes when saving bytes. */
export const AttachmentInfoSchema = z.object({
  type: AttachmentTypeSchema,
  mimeType: z.string().max(200),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  durationMs: z.number().nonnegative().optional(),
  thumbnail: AttachmentSchema.shape.thumbnail,
});
export type AttachmentInfo = z.infer<typeof AttachmentInfoSchema>;
