import { describe, expect, it } from "vitest";
import { createBridgeClient } from "./client.ts";
import { createWebKitTransport, hasWebKitBridge } from "./transport-webkit.ts";

describe("WKWebView transport", () => {
  it("posts envelopes to the stint handler and takes replies and events through window.__stintReceive", async () => {
    const posted: unknown[] = [];
    const win: { webkit: unknown; __stintReceive?: (json: string) => void } = { webkit: { messageHandlers: { stint: { postMessage: (m: unknown) => posted.push(m) } } } };
    expect(hasWebKitBridge(win)).toBe(true);
    expect(hasWebKitBridge({})).toBe(false);
    const client = createBridgeClient();
    client.attach(createWebKitTransport((m) => client.receive(m), win));
    const events: unknown[] = [];
    client.on("session.state", (p) => events.push(p));
    const pending = client.request("review.list", { query: {} });
    await Promise.resolve();
    expect(posted).toEqual([{ v: 1, id: "r1", method: "review.list", params: { query: {} } }]);
    win.__stintReceive!('{"v":1,"method":"session.state","params":{"status":"active"}}');
    win.__stintReceive!('{"v":1,"id":"r1","result":{"sessions":[]}}');
    await expect(pending).resolves.toEqual({ sessions: [] });
    expect(events).toEqual([{ status: "active" }]);
    expect(await client.blobUrl("ab")).toBe("stint-blob://blobs/ab");
    client.close();
    expect(win.__stintReceive).toBeUndefined();
  });
});
