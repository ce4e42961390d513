/**
 * Test support for enrichment (never imported by engine code): a memory
 * `Store` that can "die" (writes hang forever, as in a killed process), and
 * a memory session source.
 */
import { utf8Decode, utf8Encode } from "../host/index.ts";
import type { Store, Transaction } from "../storage/index.ts";
import type { EnrichmentResults, EnrichmentStatusUpdate, SessionSource, SessionView } from "./session-source.ts";

export interface MemoryStore extends Store {
  readonly data: Map<string, Uint8Array>;
  /** From now on every write of this handle never completes (the process died). */
  kill(): void;
  /** A fresh handle over the same data (the next process). */
  reopen(): MemoryStore;
  writes: number;
}

export function createMemoryStore(data = new Map<string, Uint8Array>()): MemoryStore {
  let dead = false;
  const hang = () => new Promise<never>(() => undefined);
  const store: MemoryStore = {
    data,
    writes: 0,
    kill: () => void (dead = true),
    reopen: () => createMemoryStore(data),
    async get(key) {
      return data.get(key);
    },
    async getJson(key, schema) {
      const bytes = data.get(key);
      return bytes === undefined ? undefined : schema.parse(JSON.parse(utf8Decode(bytes)));
    },
    async put(key, value) {
      if (dead) return hang();
      store.writes++;
      data.set(key, value);
    },
    async putJson(key, value) {
      if (dead) return hang();
      store.writes++;
      data.set(key, utf8Encode(JSON.stringify(value)));
    },
    async delete(key) {
      if (dead) return hang();
      data.delete(key);
    },
    async list(prefix) {
      return [...data.keys()].filter((key) => key.startsWith(prefix)).sort();
    },
    async transaction(body) {
      const tx = store.beginTransaction();
      try {
        const result = await body(tx);
        await tx.commit();
        return result;
      } catch (error) {
        tx.rollback();
        throw error;
      }
    },
    beginTransaction() {
      const ops = new Map<string, Uint8Array | undefined>();
      let state: Transaction["state"] = "open";
      const tx: Transaction = {
        get state() {
          return state;
        },
        async get(key) {
          return ops.has(key) ? ops.get(key) : data.get(key);
        },
        async getJson(key, schema) {
          const bytes = ops.has(key) ? ops.get(key) : data.get(key);
          return bytes === undefined ? undefined : schema.parse(JSON.parse(utf8Decode(bytes)));
        },
        put: (key, value) => void ops.set(key, value),
        putJson: (key, value) => void ops.set(key, utf8Encode(JSON.stringify(value))),
        delete: (key) => void ops.set(key, undefined),
        async commit() {
          if (dead) return hang();
          store.writes++;
          for (const [key, value] of ops) {
            if (value === undefined) data.delete(key);
            else data.set(key, value);
          }
          state = "committed";
        },
        rollback: () => void (state = "rolledBack"),
      };
      return tx;
    },
    async flush() {},
  };
  return store;
}

export interface MemorySessionSource extends SessionSource {
  readonly sessions: Map<string, SessionView>;
  readonly blobs: Map<string, Uint8Array>;
  readonly results: Map<string, EnrichmentResults>;
  readonly statuses: Map<string, EnrichmentStatusUpdate>;
}

export function createMemorySessionSource(): MemorySessionSource {
  const sessions = new Map<string, SessionView>();
  const blobs = new Map<string, Uint8Array>();
  const results = new Map<string, EnrichmentResults>();
  const statuses = new Map<string, EnrichmentStatusUpdate>();
  return {
    sessions,
    blobs,
    results,
    statuses,
    load: async (id) => sessions.get(id),
    pathOf: (attachmentId) => `attachments/blobs/${attachmentId}.dat`,
    async read(attachmentId) {
      const bytes = blobs.get(attachmentId);
      if (bytes === undefined) throw new Error(`no blob ${attachmentId}`);
      return bytes;
    },
    saveResults: async (id, value) => void results.set(id, value),
    setStatus: async (id, update) => void statuses.set(id, update),
  };
}
