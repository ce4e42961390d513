import type { EventMessage } from "../../../engine/src/bridge/envelope.ts";
import type { Transport } from "./transport.ts";

/** A failed request, as data: the engine's error code, or a client-side one. */
export class BridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = "BridgeError";
  }
}

type ParsedReply = { readonly id: string | number | null; readonly result: unknown } | { readonly id: string | number | null; readonly error: { code: string; message: string; retryable: boolean; data?: unknown } };

/** The envelope's reply shape, checked by hand: the panel does not bundle the engine's schemas. */
function parseReply(value: Record<string, unknown>): ParsedReply | undefined {
  if (value.v !== 1) return undefined;
  const id = value.id;
  if (id !== null && typeof id !== "string" && typeof id !== "number") return undefined;
  if ("error" in value) {
    const e = value.error as Record<string, unknown> | null;
    if (e === null || typeof e !== "object" || typeof e.code !== "string" || typeof e.message !== "string" || typeof e.retryable !== "boolean") return undefined;
    return { id, error: { code: e.code, message: e.message, retryable: e.retryable, data: e.data } };
  }
  return "result" in value ? { id, result: value.result } : undefined;
}

function parseEvent(value: Record<string, unknown>): EventMessage | undefined {
  if (value.v !== 1 || typeof value.method !== "string" || !/^[a-z][a-zA-Z0-9_]*(\.[a-z][a-zA-Z0-9_]*)+$/.test(value.method)) return undefined;
  return { v: 1, method: value.method, params: value.params };
}

export type EventHandler = (params: unknown, method: string) => void;

interface Pending {
  readonly method: string;
  resolve(value: unknown): void;
  reject(error: BridgeError): void;
  timer: ReturnType<typeof setTimeout>;
}

export interface BridgeClient {
  request<T = unknown>(method: string, params?: unknown, options?: { readonly timeoutMs?: number }): Promise<T>;
  notify(method: string, params?: unknown): void;
  /** Subscribes to an engine event by name, or every event with `"*"`. */
  on(method: string, handler: EventHandler): () => void;
  /** Where the player and thumbnails load an attachment. */
  blobUrl(digest: string): Promise<string | undefined>;
  /** Handles one inbound message from the transport. */
  receive(message: unknown): void;
  attach(transport: Transport): void;
  readonly transportName: string;
  close(): void;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

/** One client over any transport: ids, timeouts, reply validation, event fan-out. */
export function createBridgeClient(options: { readonly timeoutMs?: number } = {}): BridgeClient {
  const pending = new Map<string, Pending>();
  const handlers = new Map<string, Set<EventHandler>>();
  let transport: Transport | undefined;
  let nextId = 1;

  function dispatchEvent(event: EventMessage): void {
    for (const key of [event.method, "*"]) {
      for (const handler of handlers.get(key) ?? []) {
        try {
          handler(event.params, event.method);
        } catch (error) {
          console.error("event handler failed", event.method, error);
        }
      }
    }
  }

  const client: BridgeClient = {
    get transportName() {
      return transport?.name ?? "none";
    },
    attach(next) {
      transport = next;
    },
    request<T>(method: string, params?: unknown, requestOptions?: { readonly timeoutMs?: number }): Promise<T> {
      const id = `r${nextId++}`;
      const timeoutMs = requestOptions?.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      return new Promise<T>((resolve, reject) => {
        if (transport === undefined) {
          reject(new BridgeError("client.no_transport", "not connected to the engine", true));
          return;
        }
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new BridgeError("engine.timeout", `${method} did not answer within ${Math.round(timeoutMs / 1000)} s`, true));
        }, timeoutMs);
        pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject, timer });
        transport.post({ v: 1, id, method, params: params ?? {} }).catch((error: unknown) => {
          const entry = pending.get(id);
          if (entry === undefined) return;
          clearTimeout(entry.timer);
          pending.delete(id);
          reject(new BridgeError("client.transport", `could not reach the engine: ${error instanceof Error ? error.message : String(error)}`, true));
        });
      });
    },
    notify(method, params) {
      void transport?.post({ v: 1, method, params: params ?? {} }).catch((error: unknown) => console.error("notification failed", method, error));
    },
    on(method, handler) {
      let set = handlers.get(method);
      if (set === undefined) handlers.set(method, (set = new Set()));
      set.add(handler);
      return () => set.delete(handler);
    },
    async blobUrl(digest) {
      return transport?.blobUrl(digest);
    },
    receive(message) {
      let value: unknown = message;
      if (typeof message === "string") {
        try {
          value = JSON.parse(message);
        } catch {
          console.error("bridge: inbound message is not JSON");
          return;
        }
      }
      if (value === null || typeof value !== "object") return;
      if ("id" in value) {
        const reply = parseReply(value as Record<string, unknown>);
        if (reply === undefined) {
          console.error("bridge: malformed reply");
          return;
        }
        const id = reply.id;
        const entry = id === null ? undefined : pending.get(String(id));
        if (entry === undefined) return;
        clearTimeout(entry.timer);
        pending.delete(String(id));
        if ("error" in reply) entry.reject(new BridgeError(reply.error.code, reply.error.message, reply.error.retryable, reply.error.data));
        else entry.resolve(reply.result);
        return;
      }
      const event = parseEvent(value as Record<string, unknown>);
      if (event !== undefined) dispatchEvent(event);
    },
    close() {
      for (const [id, entry] of pending) {
        clearTimeout(entry.timer);
        entry.reject(new BridgeError("client.closed", `${entry.method} was cancelled: the panel closed`, false));
        pending.delete(id);
      }
      handlers.clear();
      transport?.close();
    },
  };
  return client;
}
