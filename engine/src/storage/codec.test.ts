import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeUtf8Js as decodeUtf8, encodeUtf8Js as encodeUtf8 } from "./codec.ts";

describe("storage UTF-8 codec (the pure-JS path a bare JSContext uses)", () => {
  it("matches the platform encoder and round-trips any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        const bytes = encodeUtf8(text);
        expect(bytes).toEqual(new TextEncoder().encode(text));
        expect(decodeUtf8(bytes)).toBe(new TextDecoder().decode(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws on arbitrary bytes, and agrees with the platform wherever the bytes are valid UTF-8", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const decoded = decodeUtf8(bytes);
        const platform = new TextDecoder().decode(bytes);
        if (!platform.includes("\ufffd")) expect(decoded).toBe(platform);
        else expect(decoded).toContain("\ufffd");
      }),
      { numRuns: 2000 },
    );
  });

  it("handles inputs longer than one decode block", () => {
    const text = `${"a".repeat(10_000)}é${"😀".repeat(5000)}`;
    expect(decodeUtf8(encodeUtf8(text))).toBe(text);
  });
});
