import { createMemoryHost } from "../../../engine/src/host/index.ts";
import { createIndexedDbAdapter } from "../../../engine/src/storage/index.ts";
import { storageContract } from "../../../engine/src/storage/storage.contract.ts";
import { runRegistered } from "./vitest-shim.ts";

/**
 * Runs the storage contract suite against the IndexedDB adapter on the
 * page's real `indexedDB` (bundled by the Chromium suite; `vitest` maps to the shim).
 */
let run = 0;
storageContract("indexeddb (real browser)", () => {
  const dbName = `stint-contract-${Date.now()}-${run++}`;
  const open = () => createIndexedDbAdapter({ indexedDB, keyRange: IDBKeyRange, dbName });
  return {
    host: createMemoryHost(),
    open,
    plant: async (key, bytes) => {
      const adapter = open();
      await adapter.commit([{ type: "put", key, value: bytes }]);
      await adapter.close();
    },
  };
});

(globalThis as { __runStorageContract?: () => ReturnType<typeof runRegistered> }).__runStorageContract = () => runRegistered();
