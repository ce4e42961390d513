import * as z from "zod";

/** Method and event names: dot-namespaced lower-case words, e.g. `session.start`. */
export const MethodNameSchema = z.string().regex(/^[a-z][a-zA-Z0-9_]*(\.[a-z][a-zA-Z0-9_]*)+$/, "method must be namespaced, e.g. session.start").max(100);

export const RequestIdSchema = z.union([z.string().min(1).max(100), z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER)]);
export type RequestId = z.infer<typeof RequestIdSchema>;

/** A request (with `id`) or a notification (without). */
export const InboundMessageSchema = z.object({
  v: z.literal(1),
  id: RequestIdSchema.optional(),
  method: MethodNameSchema,
  params: z.unknown().optional(),
});
export type InboundMessage = z.infer<typeof InboundMessageSchema>;

export const ErrorDataSchema = z.object({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
  data: z.unknown().optional(),
});

export const SuccessReplySchema = z.object({ v: z.literal(1), id: RequestIdSchema.nullable(), result: z.unknown() });
export const ErrorReplySchema = z.object({ v: z.literal(1), id: RequestIdSchema.nullable(), error: ErrorDataSchema });
export const ReplySchema = z.union([SuccessReplySchema, ErrorReplySchema]);
export type Reply = z.infer<typeof ReplySchema>;

/** Notifications going out (engine events). */
export const EventMessageSchema = z.object({ v: z.literal(1), method: MethodNameSchema, params: z.unknown() });
export type EventMessage = z.infer<typeof EventMessageSchema>;

/** Largest accepted inbound message, as serialized JSON (bytes are never sent as JSON). */
export const MAX_MESSAGE_BYTES = 1_000_000;
