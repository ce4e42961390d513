import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { createMemoryHost } from "../host/index.ts";
import { createFileAdapter, createIndexedDbAdapter, createMemoryAdapter } from "./index.ts";
import { storageContract } from "./storage.contract.ts";

storageContract("memory", () => {
  const data = new Map<string, Uint8Array>();
  return {
    host: createMemoryHost(),
    open: () => createMemoryAdapter({ data }),
    plant: async (key, bytes) => void data.set(key, bytes),
  };
});

storageContract("file (host files)", () => {
  const host = createMemoryHost();
  return {
    host,
    open: () => createFileAdapter({ files: host.files, crypto: host.crypto, root: "data" }),
    plant: async (key, bytes) => void (await host.files.writeAtomic(`data/${key}`, bytes)),
  };
});

storageContract("indexeddb (fake-indexeddb)", () => {
  const indexedDB = new IDBFactory();
  const open = () => createIndexedDbAdapter({ indexedDB, keyRange: IDBKeyRange, dbName: "stint-test" });
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

