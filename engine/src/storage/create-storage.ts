import type { HostPort } from "../host/index.ts";
import type { KvAdapter, Storage } from "./types.ts";

export interface CreateStorageOptions {
  readonly host: HostPort;
  /** An adapter from `createFileAdapter`, `createIndexedDbAdapter` or `createMemoryAdapter`. */
  readonly adapter: KvAdapter;
}

/** Opens storage: recovers interrupted commits, loads the list index, starts the persistence queue. */
export async function createStorage(_options: CreateStorageOptions): Promise<Storage> {
  throw new Error("storage: not implemented yet");
}
