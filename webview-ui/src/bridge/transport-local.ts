// create-engine.ts directly: the product feature list would pull in the recorder-facing features.
import { createEngine, type Engine } from "../../../engine/src/engine/create-engine.ts";
import { createMemoryHost, type HostPort } from "../../../engine/src/host/index.ts";
import { createReviewFeatureFactory, type ReviewFeature } from "../../../engine/src/review/index.ts";
import { createIndexedDbAdapter, createStorageFeature } from "../../../engine/src/storage/index.ts";
import type { Deliver, Transport } from "./transport.ts";

/**
 * The engine inside the page: no server at all. Used for the zero-server
 * demo and for running storage contract suites in a real browser.
 * Attachments become object URLs made from the library's bytes.
 */
export async function createLocalTransport(deliver: Deliver, options: { readonly demo?: boolean; readonly host?: HostPort; readonly dbName?: string } = {}): Promise<Transport & { readonly engine: Engine }> {
  const base = options.host ?? createMemoryHost({ time: "real" });
  const host: HostPort = { ...base, info: { ...base.info, name: "browser", platform: "browser" } };
  // Storage on the page's IndexedDB: sessions kept in this browser survive a reload.
  const storage = createStorageFeature({ adapter: () => createIndexedDbAdapter({ indexedDB, keyRange: IDBKeyRange, dbName: options.dbName ?? "stint" }) });
  const engine = await createEngine(host, [storage, createReviewFeatureFactory({ demo: options.demo ?? true })]);
  const off = engine.subscribe((event) => deliver(event));
  const urls = new Map<string, string>();
  const review = engine.context.features.get("review") as ReviewFeature;
  return {
    name: "local",
    engine,
    async post(envelope) {
      const reply = await engine.handle(envelope, "panel");
      // Replies arrive on a later task, as they would from a real shell.
      if (reply !== undefined) setTimeout(() => deliver(reply), 0);
    },
    async blobUrl(digest) {
      const known = urls.get(digest);
      if (known !== undefined) return known;
      const blob = await review.library().readBlob(digest);
      if (blob === undefined) return undefined;
      const url = URL.createObjectURL(new Blob([blob.bytes as BlobPart], { type: blob.mimeType }));
      urls.set(digest, url);
      return url;
    },
    close() {
      off();
      for (const url of urls.values()) URL.revokeObjectURL(url);
      void engine.stop();
    },
  };
}
