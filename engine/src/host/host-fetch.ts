import type { HostPort } from "./host-port.ts";

/** A `fetch`-compatible function over `host.http`, handed to the AI SDKs. */
export function createHostFetch(host: HostPort): typeof fetch {
  void host;
  throw new Error("createHostFetch: implemented with the web shims");
}
