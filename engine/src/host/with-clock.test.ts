import { describe, expect, it } from "vitest";
import { detectCapabilities } from "./host-port.ts";
import { createMemoryHost } from "./memory-host.ts";
import { withClock } from "./with-clock.ts";

describe("withClock", () => {
  it("replaces only the clock and reads everything else through to the host", async () => {
    const recorder = { start: async () => {} } as never;
    const host = createMemoryHost({ recorder });
    const wrapped = withClock(host, { now: () => 42.7, elapsed: () => 7 });
    expect(wrapped.clock.now()).toBe(42.7);
    expect(wrapped.files).toBe(host.files);
    expect(wrapped.recorder).toBe(recorder);
    expect(detectCapabilities(wrapped)).toEqual(detectCapabilities(host));
    wrapped.emit({ v: 1, method: "test.event", params: {} });
    expect(host.events.map((e) => e.method)).toEqual(["test.event"]);
    await wrapped.files.writeAtomic("a.txt", new Uint8Array([1]));
    expect(await host.files.stat("a.txt")).toBeDefined();
  });
});
