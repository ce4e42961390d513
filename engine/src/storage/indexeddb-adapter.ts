import { get, getMany, keys, promisifyRequest, type UseStore } from "idb-keyval";
import { toStorageError } from "./keys.ts";
import type { KvAdapter } from "./types.ts";

export interface IndexedDbAdapterOptions {
  /** The browser's `indexedDB` (or fake-indexeddb in tests): injected, never read from a global. */
  readonly indexedDB: IDBFactory;
  /** `IDBKeyRange`, for prefix listing without reading every key. */
  readonly keyRange?: { bound(lower: string, upper: string): IDBKeyRange };
  readonly dbName?: string;
  readonly storeName?: string;
}

/**
 * The IndexedDB adapter, through idb-keyval's `UseStore` seam. A commit is one
 * readwrite IndexedDB transaction, which the browser makes atomic and durable.
 */
export function createIndexedDbAdapter(options: IndexedDbAdapterOptions): KvAdapter {
  const dbName = options.dbName ?? "stint";
  const storeName = options.storeName ?? "kv";
  let database: Promise<IDBDatabase> | undefined;
  const open = () => {
    database ??= (() => {
      const request = options.indexedDB.open(dbName);
      request.onupgradeneeded = () => request.result.createObjectStore(storeName);
      return promisifyRequest(request);
    })();
    return database;
  };
  const store: UseStore = (mode, callback) =>
    open().then((db) => {
      // "strict" durability: the commit event fires only once the data is on disk.
      const tx = db.transaction(storeName, mode, { durability: "strict" });
      return callback(tx.objectStore(storeName));
    });

  return {
    kind: "indexeddb",
    async get(key) {
      try {
        const value = await get<Uint8Array>(key, store);
        return value === undefined ? undefined : new Uint8Array(value);
      } catch (error) {
        throw toStorageError(error, `reading ${key}`);
      }
    },
    async list(prefix) {
      try {
        if (options.keyRange !== undefined && prefix !== "") {
          const range = options.keyRange.bound(prefix, `${prefix}\uffff`);
          const found = await store("readonly", (objects) => promisifyRequest(objects.getAllKeys(range)));
          return (found as string[]).sort();
        }
        const all = await keys<string>(store);
        return all.filter((key) => typeof key === "string" && key.startsWith(prefix)).sort();
      } catch (error) {
        throw toStorageError(error, `listing ${prefix}`);
      }
    },
    async commit(ops) {
      if (ops.length === 0) return;
      try {
        await store("readwrite", (objects) => {
          for (const op of ops) {
            if (op.type === "put") objects.put(op.value, op.key);
            else objects.delete(op.key);
          }
          return promisifyRequest(objects.transaction);
        });
      } catch (error) {
        const name = (error as { name?: string } | undefined)?.name;
        if (name === "QuotaExceededError") throw toStorageError(Object.assign(new Error("quota exceeded"), { code: "ENOSPC" }), "committing");
        throw toStorageError(error, "committing");
      }
    },
    async recover() {
      // IndexedDB transactions are atomic by themselves: nothing to finish.
      return { rolledForward: 0, rolledBack: 0 };
    },
    async size(key) {
      const [value] = await getMany<Uint8Array>([key], store);
      return value?.length;
    },
    async close() {
      if (database !== undefined) (await database).close();
      database = undefined;
    },
  };
}
