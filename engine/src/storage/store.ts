import { EngineError } from "../bridge/index.ts";
import { decodeUtf8 as utf8Decode, encodeUtf8 as utf8Encode } from "./codec.ts";
import { mustBeValidKey, toStorageError } from "./keys.ts";
import type { InternalQueue, QueuedOp } from "./persistence-queue.ts";
import type { KvAdapter, KvOp, Store, Transaction, WriteOptions } from "./types.ts";

/** Parses stored JSON; anything wrong is `storage.schema_invalid`, never a throw from JSON.parse or zod. */
export function decodeJson<T>(key: string, bytes: Uint8Array, schema: { parse(value: unknown): T }): T {
  let raw: unknown;
  try {
    raw = JSON.parse(utf8Decode(bytes));
  } catch (cause) {
    throw new EngineError("storage.schema_invalid", `${key} is not valid JSON`, { cause, data: { key } });
  }
  try {
    return schema.parse(raw);
  } catch (cause) {
    throw new EngineError("storage.schema_invalid", `${key} does not match its schema`, { cause, data: { key } });
  }
}

export const encodeJson = (value: unknown): Uint8Array => utf8Encode(JSON.stringify(value));

export interface InternalStore extends Store {
  /** Like `put` but for the reserved folders and storage's own keys (no reserved-prefix check). */
  commitOps(ops: readonly QueuedOp[], options?: WriteOptions & { readonly epoch?: number }): Promise<void>;
  readonly queue: InternalQueue;
  readonly adapter: KvAdapter;
}

/** The generic durable store: reads through the queue, writes into it. */
export function createStore(adapter: KvAdapter, queue: InternalQueue): InternalStore {
  const read = async (key: string): Promise<Uint8Array | undefined> => {
    const queued = queue.peek(key);
    if (queued !== undefined) return "value" in queued ? queued.value.slice() : undefined;
    return adapter.get(key);
  };

  const store: InternalStore = {
    queue,
    adapter,
    async get(key) {
      return read(mustBeValidKey(key, { allowReserved: true }));
    },
    async getJson(key, schema) {
      const bytes = await store.get(key);
      return bytes === undefined ? undefined : decodeJson(key, bytes, schema);
    },
    put(key, value, options) {
      try {
        mustBeValidKey(key);
      } catch (error) {
        return Promise.reject(error);
      }
      return queue.enqueue([{ type: "put", key, value: value.slice() }], options?.priority ?? "normal");
    },
    putJson(key, value, options) {
      return store.put(key, encodeJson(value), options);
    },
    delete(key, options) {
      try {
        mustBeValidKey(key);
      } catch (error) {
        return Promise.reject(error);
      }
      return queue.enqueue([{ type: "delete", key }], options?.priority ?? "normal");
    },
    async list(prefix) {
      if (prefix !== "" && !/^[A-Za-z0-9._/-]*$/.test(prefix)) throw new EngineError("storage.invalid_id", `invalid prefix: ${prefix}`);
      let stored: string[];
      try {
        stored = await adapter.list(prefix);
      } catch (error) {
        throw toStorageError(error, `listing ${prefix}`);
      }
      const keys = new Set(stored);
      for (const [key, present] of queue.queuedKeys(prefix)) {
        if (present) keys.add(key);
        else keys.delete(key);
      }
      return [...keys].sort();
    },
    async transaction(body, options) {
      const tx = store.beginTransaction();
      let result;
      try {
        result = await body(tx);
      } catch (error) {
        if (tx.state === "open") tx.rollback();
        throw error;
      }
      if (tx.state === "open") await tx.commit(options);
      return result;
    },
    beginTransaction() {
      return createTransaction(store, read);
    },
    flush() {
      return queue.flush();
    },
    commitOps(ops, options) {
      return queue.enqueue(ops, options?.priority ?? "normal", options?.epoch);
    },
  };
  return store;
}

function createTransaction(store: InternalStore, read: (key: string) => Promise<Uint8Array | undefined>): Transaction {
  const writes = new Map<string, KvOp>();
  let state: Transaction["state"] = "open";
  const epoch = store.queue.epoch;
  const mustBeOpen = () => {
    if (state !== "open") throw new EngineError("storage.transaction_closed", `transaction already ${state}`);
  };
  const tx: Transaction = {
    get state() {
      return state;
    },
    async get(key) {
      mustBeValidKey(key, { allowReserved: true });
      const own = writes.get(key);
      if (own !== undefined) return own.type === "put" ? own.value.slice() : undefined;
      return read(key);
    },
    async getJson(key, schema) {
      const bytes = await tx.get(key);
      return bytes === undefined ? undefined : decodeJson(key, bytes, schema);
    },
    put(key, value) {
      mustBeOpen();
      mustBeValidKey(key);
      writes.delete(key);
      writes.set(key, { type: "put", key, value: value.slice() });
    },
    putJson(key, value) {
      tx.put(key, encodeJson(value));
    },
    delete(key) {
      mustBeOpen();
      mustBeValidKey(key);
      writes.delete(key);
      writes.set(key, { type: "delete", key });
    },
    async commit(options) {
      mustBeOpen();
      state = "committed";
      if (writes.size === 0) return;
      await store.commitOps([...writes.values()], { priority: options?.priority ?? "normal", epoch });
    },
    rollback() {
      mustBeOpen();
      state = "rolledBack";
      writes.clear();
    },
  };
  return tx;
}
