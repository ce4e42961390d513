import { createEngine, type Engine } from "../../../engine/src/engine/create-engine.ts";
import type { FeatureFactory } from "../../../engine/src/engine/feature.ts";
import { createMemoryHost } from "../../../engine/src/host/index.ts";
import { createReviewFeatureFactory } from "../../../engine/src/review/index.ts";
import { createApi, type StintApi } from "../bridge/api.ts";
import { createBridgeClient, type BridgeClient } from "../bridge/client.ts";
import type { OutboundEnvelope } from "../bridge/transport.ts";

/** A panel API over an in-process engine, for component and model tests. */
export async function createTestApi(options: { readonly demo?: boolean; readonly features?: readonly FeatureFactory[]; readonly intercept?: (envelope: OutboundEnvelope) => unknown } = {}): Promise<{ api: StintApi; client: BridgeClient; engine: Engine; sent: OutboundEnvelope[] }> {
  const engine = await createEngine(createMemoryHost({ time: "real" }), options.features ?? [createReviewFeatureFactory({ demo: options.demo ?? true })]);
  const client = createBridgeClient({ timeoutMs: 10_000 });
  const sent: OutboundEnvelope[] = [];
  engine.subscribe((event) => client.receive(event));
  client.attach({
    name: "local",
    async post(envelope) {
      sent.push(envelope);
      const intercepted = options.intercept?.(envelope);
      if (intercepted !== undefined) {
        setTimeout(() => client.receive(intercepted), 0);
        return;
      }
      const reply = await engine.handle(envelope);
      if (reply !== undefined) setTimeout(() => client.receive(reply), 0);
    },
    async blobUrl(digest) {
      return `blob:test/${digest}`;
    },
    close() {},
  });
  return { api: createApi(client), client, engine, sent };
}
