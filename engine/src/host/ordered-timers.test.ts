import { describe, expect, it } from "vitest";
import { createOrderedTimers, type PlatformTimer } from "./ordered-timers.ts";

/** A platform whose timers fire only when told, in any order the test picks: the worst case. */
function controllablePlatform() {
  let now = 0;
  const armed = new Map<number, { callback: () => void; at: number }>();
  let nextHandle = 1;
  const platform: PlatformTimer = {
    set(callback, ms) {
      const handle = nextHandle++;
      armed.set(handle, { callback, at: now + ms });
      return handle;
    },
    clear: (handle) => void armed.delete(handle as number),
    now: () => now,
  };
  return {
    platform,
    armedCount: () => armed.size,
    /** Jumps time (a blocked loop), then fires whatever platform timer is armed. */
    stall(ms: number) {
      now += ms;
      for (const [handle, timer] of [...armed]) {
        if (timer.at <= now) {
          armed.delete(handle);
          timer.callback();
        }
      }
    },
  };
}

describe("ordered timers", () => {
  it("keep deadline order, then call order, even when the loop stalls past every deadline", () => {
    const p = controllablePlatform();
    const timers = createOrderedTimers(p.platform);
    const fired: string[] = [];
    timers.setTimeout(() => fired.push("30"), 30);
    timers.setTimeout(() => fired.push("10"), 10);
    timers.setTimeout(() => fired.push("20a"), 20);
    timers.setTimeout(() => fired.push("20b"), 20);
    timers.setTimeout(() => fired.push("0"), 0);
    expect(p.armedCount()).toBe(1);
    p.stall(500);
    expect(fired).toEqual(["0", "10", "20a", "20b", "30"]);
    expect(timers.pending()).toBe(0);
    expect(p.armedCount()).toBe(0);
  });

  it("cancel, re-arm for later deadlines, and survive a throwing callback", () => {
    const p = controllablePlatform();
    const timers = createOrderedTimers(p.platform);
    const fired: string[] = [];
    const a = timers.setTimeout(() => fired.push("a"), 5);
    timers.setTimeout(() => {
      fired.push("b");
      timers.setTimeout(() => fired.push("d"), 0);
    }, 10);
    timers.setTimeout(() => fired.push("c"), 100);
    timers.clearTimeout(a);
    timers.clearTimeout(a);
    timers.clearTimeout(999);
    p.stall(10);
    expect(fired).toEqual(["b", "d"]);
    p.stall(89);
    expect(fired).toEqual(["b", "d"]);
    p.stall(1);
    expect(fired).toEqual(["b", "d", "c"]);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    timers.setTimeout(() => {
      throw new Error("boom");
    }, 1);
    timers.setTimeout(() => fired.push("after"), 1);
    p.stall(1);
    expect(fired.at(-1)).toBe("after");
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        process.off("unhandledRejection", onUnhandled);
        expect(unhandled).toHaveLength(1);
        resolve();
      }),
    );
  });
});
