import { describe, expect, it } from "vitest";
import { negatives, positives } from "./redaction-corpus.test-helpers.ts";
import { redact, scrubSecrets } from "./redaction.ts";

describe("redaction corpus", () => {
  const secrets = positives();
  const misses = negatives();

  it("has at least 200 real-format positives across every kind and 200 near-miss negatives", () => {
    expect(secrets.length).toBeGreaterThanOrEqual(200);
    expect(new Set(secrets.map((item) => item.kind)).size).toBeGreaterThanOrEqual(20);
    expect(misses.length).toBeGreaterThanOrEqual(200);
  });

  it("withholds every positive", () => {
    const leaked = secrets.filter((item) => redact(item.text, { emails: false }).text.includes(item.secret)).map((item) => `${item.kind}: ${item.text}`);
    expect(leaked).toEqual([]);
    expect(secrets.every((item) => redact(item.text, { emails: false }).count >= 1)).toBe(true);
  });

  it("leaves every near-miss as it was", () => {
    const touched = misses.filter((text) => redact(text, { emails: false }).text !== text);
    expect(touched).toEqual([]);
  });

  it("always withholds the configured keys, even in a shape no rule knows", () => {
    const key = "custom-gateway-key-7f3a9c21";
    expect(scrubSecrets(`401 invalid x-api-key: ${key} (check your settings)`, [key])).toBe("401 invalid x-api-key: [redacted-key] (check your settings)");
    expect(scrubSecrets("nothing to hide", [key])).toBe("nothing to hide");
  });
});
