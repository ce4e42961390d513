import type { ConnectionListener, Deliver, Transport } from "./transport.ts";

export interface HttpTransportOptions {
  /** Origin of the dev host, e.g. `http://127.0.0.1:4815`. */
  readonly base: string;
  /** The per-run token printed by `stint serve`. */
  readonly token: string;
  readonly fetch?: typeof fetch;
  readonly EventSource?: typeof EventSource;
  readonly onConnection?: ConnectionListener;
}

/**
 * The dev host: requests as `POST /bridge` (the reply is the response body),
 * engine events as server-sent events from `GET /events`, attachments from
 * `GET /blobs/<sha256>`. Every call carries the run's token.
 */
export function createHttpTransport(deliver: Deliver, options: HttpTransportOptions): Transport {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const Source = options.EventSource ?? globalThis.EventSource;
  const token = encodeURIComponent(options.token);
  let source: EventSource | undefined;
  if (Source !== undefined) {
    source = new Source(`${options.base}/events?token=${token}`);
    source.onopen = () => options.onConnection?.("open");
    // EventSource reconnects by itself; report it so the panel can say so.
    source.onerror = () => options.onConnection?.(source?.readyState === 2 ? "closed" : "reconnecting");
    source.onmessage = (event: MessageEvent<string>) => deliver(event.data);
  }
  return {
    name: "http",
    async post(envelope) {
      const response = await doFetch(`${options.base}/bridge`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${options.token}` },
        body: JSON.stringify(envelope),
      });
      const text = await response.text();
      if (response.status === 401) throw new Error("this page's token is not valid for the running dev host; open the address `stint serve` printed");
      if (!response.ok && !text.startsWith("{")) throw new Error(`the dev host answered ${response.status} ${response.statusText}`);
      if (text.length > 0) deliver(text);
    },
    blobUrl: async (digest) => `${options.base}/blobs/${digest}?token=${token}`,
    close() {
      source?.close();
    },
  };
}
