import type { KvAdapter, KvOp } from "./types.ts";

/** In-memory adapter: the reference behaviour, and the store for tests and the browser demo. */
export function createMemoryAdapter(options: { readonly data?: Map<string, Uint8Array> } = {}): KvAdapter & { readonly dump: () => Map<string, Uint8Array> } {
  // Passing the same map again "reopens" the store.
  const data = options.data ?? new Map<string, Uint8Array>();
  let closed = false;
  const open = () => {
    if (closed) throw new Error("adapter closed");
  };
  return {
    kind: "memory",
    async get(key) {
      open();
      return data.get(key)?.slice();
    },
    async list(prefix) {
      open();
      return [...data.keys()].filter((key) => key.startsWith(prefix)).sort();
    },
    async commit(ops: readonly KvOp[]) {
      open();
      for (const op of ops) {
        if (op.type === "put") data.set(op.key, op.value.slice());
        else data.delete(op.key);
      }
    },
    async recover() {
      return { rolledForward: 0, rolledBack: 0 };
    },
    async size(key) {
      return data.get(key)?.length;
    },
    async close() {
      closed = true;
    },
    dump: () => new Map(data),
  };
}
