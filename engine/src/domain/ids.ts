import * as z from "zod";

/** RFC 4122 UUID, lower case: session ids. Validated before an id ever becomes a path. */
export const SessionIdSchema = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "expected a lower-case UUID");
export type SessionId = z.infer<typeof SessionIdSchema>;

/** Lower-case hex SHA-256: attachment ids are the content hash of their bytes. */
export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, "expected a lower-case hex SHA-256");
export type Sha256Hex = z.infer<typeof Sha256HexSchema>;

/** Attachments are content-addressed: the id is the SHA-256 of the bytes. */
export const AttachmentIdSchema = Sha256HexSchema;
export type AttachmentId = Sha256Hex;

/** Epoch milliseconds. */
export const EpochMsSchema = z.number().int().nonnegative();

export function isSessionId(value: unknown): value is SessionId {
  return SessionIdSchema.safeParse(value).success;
}

export function isSha256Hex(value: unknown): value is Sha256Hex {
  return Sha256HexSchema.safeParse(value).success;
}
