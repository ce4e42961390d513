import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryHost } from "./memory-host.ts";
import { installWebShims, ShimHeaders, ShimTextDecoder, ShimTextEncoder, ShimURL, ShimURLSearchParams, WEB_SHIM_NAMES } from "./web-shim.ts";

/** A global-like object with none of the web names, as in a bare JSContext. */
function bareGlobal(): Record<string, any> {
  return Object.create(null) as Record<string, any>;
}

function installBare() {
  const host = createMemoryHost();
  const g = bareGlobal();
  const installed = installWebShims(host, g);
  return { host, g, installed };
}

describe("installWebShims", () => {
  it("installs every missing name on the target, and nothing on globalThis", () => {
    const before = { URL: globalThis.URL, Headers: globalThis.Headers, setTimeout: globalThis.setTimeout };
    const { g, installed } = installBare();
    expect(installed).toEqual([...WEB_SHIM_NAMES]);
    for (const name of WEB_SHIM_NAMES) expect(g[name], name).toBeDefined();
    expect({ URL: globalThis.URL, Headers: globalThis.Headers, setTimeout: globalThis.setTimeout }).toEqual(before);
  });

  it("leaves names that already exist untouched", () => {
    const host = createMemoryHost();
    const mine = class {};
    const g = bareGlobal();
    g.URL = mine;
    g.console = { log() {} };
    const installed = installWebShims(host, g);
    expect(g.URL).toBe(mine);
    expect(installed).not.toContain("URL");
    expect(installed).not.toContain("console");
  });

  it("installs non-enumerable, so a bundle's global check sees no extra enumerable names", () => {
    const { g } = installBare();
    expect(Object.keys(g)).toEqual([]);
  });

  it("setTimeout/clearTimeout/setInterval run on the host's timers with their arguments", async () => {
    const { host, g } = installBare();
    const fired: string[] = [];
    g.setTimeout((a: string, b: string) => fired.push(`${a}${b}`), 10, "x", "y");
    const cancelled = g.setTimeout(() => fired.push("cancelled"), 5);
    g.clearTimeout(cancelled);
    g.clearTimeout(undefined);
    const interval = g.setInterval(() => fired.push("tick"), 4);
    await host.time!.advance(13);
    g.clearInterval(interval);
    await host.time!.advance(50);
    expect(fired).toEqual(["tick", "tick", "xy", "tick"]);
  });

  it("console writes through host.log with levels; queueMicrotask runs after the current task and reports throws", async () => {
    const { host, g } = installBare();
    g.console.log("hello", { n: 1 });
    g.console.error(new TypeError("bad"));
    const order: string[] = [];
    g.queueMicrotask(() => order.push("micro"));
    g.queueMicrotask(() => {
      throw new Error("from a microtask");
    });
    order.push("sync");
    await Promise.resolve();
    await Promise.resolve();
    expect(order).toEqual(["sync", "micro"]);
    expect(host.logs.map((l) => [l.level, l.message])).toEqual([
      ["info", 'hello {"n":1}'],
      ["error", "TypeError: bad"],
      ["error", "uncaught in a shimmed callback: Error: from a microtask"],
    ]);
  });
});

describe("TextEncoder / TextDecoder shims", () => {
  it("match the platform codec on arbitrary bytes and strings", () => {
    const native = new TextDecoder();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(new ShimTextDecoder().decode(bytes)).toBe(native.decode(bytes));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect([...new ShimTextEncoder().encode(text)]).toEqual([...new TextEncoder().encode(text)]);
      }),
      { numRuns: 300 },
    );
  });

  it("streaming decode across any split equals decoding the whole", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.integer({ min: 1, max: 7 }), (text, size) => {
        const bytes = new TextEncoder().encode(text);
        const decoder = new ShimTextDecoder();
        let out = "";
        for (let i = 0; i < bytes.length; i += size) out += decoder.decode(bytes.subarray(i, i + size), { stream: true });
        out += decoder.decode();
        expect(out).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it("honours fatal, ignoreBOM, labels and encodeInto", () => {
    expect(() => new ShimTextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xff]))).toThrow(TypeError);
    expect(new ShimTextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))).toBe("A");
    expect(new ShimTextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))).toBe("\ufeffA");
    expect(() => new ShimTextDecoder("latin1")).toThrow(RangeError);
    expect(new ShimTextDecoder().decode(new Uint16Array([0x4241]))).toBe("AB");
    const target = new Uint8Array(4);
    expect(new ShimTextEncoder().encodeInto("aé会", target)).toEqual({ read: 2, written: 3 });
  });

  it("btoa/atob match the platform", () => {
    const { g } = installBare();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const binary = String.fromCharCode(...bytes);
        expect(g.btoa(binary)).toBe(btoa(binary));
        expect(g.atob(btoa(binary))).toBe(binary);
      }),
    );
    expect(() => g.btoa("会")).toThrow();
    expect(() => g.atob("a")).toThrow();
  });
});

describe("URL / URLSearchParams shims", () => {
  const cases: [string, string?][] = [
    ["https://api.anthropic.com/v1/messages"],
    ["http://127.0.0.1:8080/v1/chat/completions?stream=true#frag"],
    ["HTTP://Example.COM:80/a/./b/../c"],
    ["https://user:pa ss@host.test:8443/p a t h?q=a b&x=é#h é"],
    ["https://host.test"],
    ["/v1/messages?x=1", "https://api.anthropic.com/base/"],
    ["messages", "https://api.anthropic.com/v1/"],
    ["../up", "https://h.test/a/b/c"],
    ["?only=query", "https://h.test/a/b"],
    ["#frag", "https://h.test/a?b=1"],
    ["//other.test/x", "https://h.test/a"],
    ["data:text/plain,hello"],
    ["file:///tmp/x.txt"],
  ];
  for (const [input, base] of cases) {
    it(`parses ${input}${base ? ` against ${base}` : ""} like the platform`, () => {
      const shim = new ShimURL(input, base);
      const real = new URL(input, base);
      for (const key of ["href", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash", "origin"] as const) {
        expect(shim[key], key).toBe(real[key]);
      }
    });
  }

  it("rejects what the platform rejects", () => {
    for (const input of ["not a url", "http://", "https://exa mple.com/", "/relative-without-base", "http://h:99999/"]) {
      expect(() => new URL(input)).toThrow();
      expect(() => new ShimURL(input), input).toThrow(TypeError);
      expect(ShimURL.canParse(input)).toBe(false);
    }
  });

  it("keeps search and searchParams in sync", () => {
    const url = new ShimURL("https://h.test/p?a=1");
    url.searchParams.append("b", "x y");
    expect(url.href).toBe("https://h.test/p?a=1&b=x+y");
    url.search = "?c=3";
    expect(url.searchParams.get("c")).toBe("3");
    expect(url.searchParams.get("a")).toBeNull();
    url.search = "";
    expect(url.href).toBe("https://h.test/p");
  });

  it("URLSearchParams serialises like the platform", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 5 }), (pairs) => {
        expect(new ShimURLSearchParams(pairs).toString()).toBe(new URLSearchParams(pairs).toString());
        const text = new URLSearchParams(pairs).toString();
        expect([...new ShimURLSearchParams(text)]).toEqual([...new URLSearchParams(text)]);
      }),
      { numRuns: 300 },
    );
    const params = new ShimURLSearchParams({ b: "2", a: "1" });
    params.set("b", "3");
    params.append("a", "0");
    params.sort();
    expect(params.toString()).toBe("a=1&a=0&b=3");
    expect(params.getAll("a")).toEqual(["1", "0"]);
    expect(params.size).toBe(3);
  });
});

describe("Headers shim", () => {
  it("behaves like the platform's Headers", () => {
    const init: [string, string][] = [["Content-Type", "application/json"], ["X-Multi", "a"], ["x-multi", "b"], ["Set-Cookie", "s=1"], ["set-cookie", "t=2"]];
    const shim = new ShimHeaders(init);
    const real = new Headers(init);
    expect([...shim]).toEqual([...real]);
    expect(shim.get("x-MULTI")).toBe(real.get("x-MULTI"));
    expect(shim.getSetCookie()).toEqual(real.getSetCookie());
    shim.delete("x-multi");
    expect(shim.has("X-Multi")).toBe(false);
    expect(new ShimHeaders(shim).get("content-type")).toBe("application/json");
    expect(new ShimHeaders({ A: "1" }).get("a")).toBe("1");
    expect(() => new ShimHeaders({ "bad name": "x" })).toThrow(TypeError);
    expect(() => new ShimHeaders({ ok: "line\nbreak" })).toThrow(TypeError);
  });
});

describe("AbortController / AbortSignal / EventTarget shims", () => {
  it("abort fires listeners and onabort once, with an AbortError reason by default", () => {
    const { g } = installBare();
    const controller = new g.AbortController();
    const seen: string[] = [];
    controller.signal.addEventListener("abort", (event: { type: string }) => seen.push(`listener:${event.type}`));
    controller.signal.addEventListener("abort", () => seen.push("once"), { once: true });
    controller.signal.onabort = () => seen.push("onabort");
    controller.abort();
    controller.abort();
    expect(seen).toEqual(["listener:abort", "once", "onabort"]);
    expect(controller.signal.aborted).toBe(true);
    expect(controller.signal.reason.name).toBe("AbortError");
    expect(() => controller.signal.throwIfAborted()).toThrow();
    expect(() => new g.AbortSignal()).toThrow(TypeError);
  });

  it("a throwing listener does not stop the others and is reported", () => {
    const { host, g } = installBare();
    const controller = new g.AbortController();
    const seen: string[] = [];
    controller.signal.addEventListener("abort", () => {
      throw new Error("listener blew up");
    });
    controller.signal.addEventListener("abort", () => seen.push("second"));
    controller.abort("why");
    expect(seen).toEqual(["second"]);
    expect(controller.signal.reason).toBe("why");
    expect(host.logs.some((l) => l.message.includes("listener blew up"))).toBe(true);
  });

  it("AbortSignal.timeout runs on host time; AbortSignal.any follows its sources; removeEventListener works", async () => {
    const { host, g } = installBare();
    const timed = g.AbortSignal.timeout(100);
    await host.time!.advance(99);
    expect(timed.aborted).toBe(false);
    await host.time!.advance(1);
    expect(timed.reason.name).toBe("TimeoutError");
    const a = new g.AbortController();
    const any = g.AbortSignal.any([a.signal, new g.AbortController().signal]);
    const removed = () => {
      throw new Error("should have been removed");
    };
    any.addEventListener("abort", removed);
    any.removeEventListener("abort", removed);
    a.abort("first");
    expect(any.aborted).toBe(true);
    expect(any.reason).toBe("first");
    expect(g.AbortSignal.abort("now").reason).toBe("now");
  });
});

describe("Blob / File / FormData shims", () => {
  it("hold bytes and entries", async () => {
    const { g } = installBare();
    const blob = new g.Blob(["hé", new Uint8Array([33])], { type: "Text/Plain" });
    expect(blob.size).toBe(4);
    expect(blob.type).toBe("text/plain");
    expect(await blob.text()).toBe("hé!");
    expect(await blob.slice(0, 1).text()).toBe("h");
    const file = new g.File(["x"], "a.txt");
    expect(file instanceof g.Blob && file.name === "a.txt").toBe(true);
    const form = new g.FormData();
    form.append("k", "v");
    form.append("f", blob, "b.txt");
    form.set("k", "w");
    expect(form.get("k")).toBe("w");
    expect(form.get("f").name).toBe("b.txt");
    expect([...form.keys()]).toEqual(["f", "k"]);
  });
});
