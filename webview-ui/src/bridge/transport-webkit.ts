import type { Deliver, Transport } from "./transport.ts";

interface WebKitWindow {
  webkit?: { messageHandlers?: { stint?: { postMessage(message: unknown): void } } };
  __stintReceive?: (json: string) => void;
}

/** True inside the Mac app's WKWebView, which installs the `stint` message handler. */
export function hasWebKitBridge(win: unknown = globalThis): boolean {
  return (win as WebKitWindow).webkit?.messageHandlers?.stint !== undefined;
}

/**
 * The Mac app's WKWebView: envelopes go out through
 * `window.webkit.messageHandlers.stint.postMessage(envelope)`; the shell calls
 * `window.__stintReceive(envelopeJSON)` with replies and engine events.
 * Attachments load through the app's `stint-blob:` URL scheme handler.
 */
export function createWebKitTransport(deliver: Deliver, win: unknown = globalThis): Transport {
  const target = win as WebKitWindow;
  const handler = target.webkit?.messageHandlers?.stint;
  if (handler === undefined) throw new Error("the stint message handler is not installed");
  target.__stintReceive = (json: string) => deliver(json);
  return {
    name: "webkit",
    async post(envelope) {
      handler.postMessage(envelope);
    },
    blobUrl: async (digest) => `stint-blob://blobs/${digest}`,
    close() {
      if (target.__stintReceive !== undefined) delete target.__stintReceive;
    },
  };
}
