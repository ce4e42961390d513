import type * as z from "zod";
import { EngineError, toErrorData } from "./errors.ts";
import { InboundMessageSchema, MAX_MESSAGE_BYTES, type Reply, type RequestId } from "./envelope.ts";

/**
 * Who sends a message. Each transport hands the engine only its own caller's
 * messages: the review panel (WKWebView relay, the dev server's `/bridge`),
 * the recorder (the host's capture code), or a command (the shell itself, `stint`).
 */
export type Caller = "panel" | "recorder" | "command";

/** The callers a method serves when its definition names none. */
export const DEFAULT_CALLERS: readonly Caller[] = ["panel", "command"];

/** What a method handler receives besides its params. */
export interface MethodContext {
  /** The request id, absent for notifications. */
  readonly id: RequestId | undefined;
}

/** A method: its params schema and handler. */
export interface MethodDefinition<S extends z.ZodType = z.ZodType> {
  readonly params: S;
  readonly handler: (params: z.output<S>, context: MethodContext) => unknown;
  /** Who may call it; {@link DEFAULT_CALLERS} when absent. */
  readonly callers?: readonly Caller[];
}

/** Helper that keeps params and handler types tied together. */
export function defineMethod<S extends z.ZodType>(params: S, handler: (params: z.output<S>, context: MethodContext) => unknown, options: { readonly callers?: readonly Caller[] } = {}): MethodDefinition<S> {
  return options.callers === undefined ? { params, handler } : { params, handler, callers: options.callers };
}

/** Whether `caller` may call `method`; an in-process call that names no caller may call anything. */
export function callerMayUse(method: MethodDefinition<z.ZodType>, caller: Caller | undefined): boolean {
  return caller === undefined || (method.callers ?? DEFAULT_CALLERS).includes(caller);
}

/** Methods of one feature, keyed by full name (`session.start`). */
export type MethodTable = Readonly<Record<string, MethodDefinition<z.ZodType>>>;

export interface Router {
  /**
   * Handles one inbound message (a JSON string or an already parsed value); never throws.
   * A transport names its `caller`, and a method that caller may not use is unknown to it.
   */
  handle(message: unknown, caller?: Caller): Promise<Reply | undefined>;
  /** Adds a feature's methods; a duplicate name is a programming error. */
  register(table: MethodTable): void;
  /** Every registered method name (those `caller` may use, when given), sorted. */
  methods(caller?: Caller): string[];
}

function parseMessage(message: unknown): unknown {
  if (typeof message !== "string") return message;
  if (message.length > MAX_MESSAGE_BYTES) {
    throw new EngineError("bridge.payload_too_large", `message is ${message.length} bytes; the limit is ${MAX_MESSAGE_BYTES}`);
  }
  try {
    return JSON.parse(message);
  } catch (cause) {
    throw new EngineError("bridge.invalid_message", "message is not valid JSON", { cause });
  }
}

function pickId(raw: unknown): RequestId | null {
  if (raw === null || typeof raw !== "object") return null;
  const id = (raw as { id?: unknown }).id;
  if (typeof id === "string" && id.length > 0 && id.length <= 100) return id;
  if (typeof id === "number" && Number.isSafeInteger(id)) return id;
  return null;
}

// An error reply stays small whatever the input held (60,000 unknown keys make one issue with 60,000 names).
const MAX_ISSUE_TEXT = 300;
const clip = (text: string) => (text.length <= MAX_ISSUE_TEXT ? text : `${text.slice(0, MAX_ISSUE_TEXT)}… (${text.length - MAX_ISSUE_TEXT} more characters)`);

function describeIssues(error: z.ZodError): string {
  const shown = error.issues
    .slice(0, 5)
    .map((issue) => clip(`${issue.path.length > 0 ? issue.path.slice(0, 10).join(".") : "params"}: ${issue.message}`))
    .join("; ");
  return error.issues.length > 5 ? `${shown}; and ${error.issues.length - 5} more` : shown;
}

function issueData(error: z.ZodError) {
  return error.issues.slice(0, 5).map((i) => ({ path: i.path.slice(0, 10).map((part) => clip(String(part))), message: clip(i.message) }));
}

/** Creates the method router. Malformed input always yields a typed error reply. */
export function createRouter(options: { readonly onNotificationError?: (method: string, error: unknown) => void } = {}): Router {
  const table = new Map<string, MethodDefinition<z.ZodType>>();

  async function dispatch(raw: unknown, caller: Caller | undefined): Promise<Reply | undefined> {
    const parsed = InboundMessageSchema.safeParse(raw);
    if (!parsed.success) {
      throw new EngineError("bridge.invalid_message", `invalid envelope: ${describeIssues(parsed.error)}`, {
        data: { issues: issueData(parsed.error) },
      });
    }
    const message = parsed.data;
    const method = table.get(message.method);
    if (method === undefined) {
      throw new EngineError("bridge.unknown_method", `unknown method ${clip(message.method)}`, { data: { method: clip(message.method) } });
    }
    if (!callerMayUse(method, caller)) {
      throw new EngineError("bridge.unknown_method", `${clip(message.method)} is not available to the ${caller}`, { data: { method: clip(message.method), caller } });
    }
    const params = method.params.safeParse(message.params ?? {});
    if (!params.success) {
      throw new EngineError("bridge.invalid_params", `${message.method}: ${describeIssues(params.error)}`, {
        data: { issues: issueData(params.error) },
      });
    }
    const result = await method.handler(params.data, { id: message.id });
    if (message.id === undefined) return undefined;
    return { v: 1, id: message.id, result: result === undefined ? null : result };
  }

  return {
    async handle(message, caller) {
      let raw: unknown;
      try {
        raw = parseMessage(message);
        return await dispatch(raw, caller);
      } catch (error) {
        const id = pickId(raw);
        // A failed notification has nobody waiting: report it, and still answer with id null
        // so a host that forwards replies can log it.
        if (raw !== null && typeof raw === "object" && !("id" in raw)) {
          options.onNotificationError?.(String((raw as { method?: unknown }).method), error);
        }
        return { v: 1, id, error: toErrorData(error) };
      }
    },
    register(methods) {
      for (const [name, definition] of Object.entries(methods)) {
        if (table.has(name)) throw new Error(`method ${name} registered twice`);
        table.set(name, definition);
      }
    },
    methods(caller) {
      return [...table.entries()]
        .filter(([, definition]) => callerMayUse(definition, caller))
        .map(([name]) => name)
        .sort();
    },
  };
}
