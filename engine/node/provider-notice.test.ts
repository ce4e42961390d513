import { describe, expect, it } from "vitest";
import { describeProvider } from "./provider-notice.ts";

describe("provider notice", () => {
  it("names the provider in use and how to change it, never the key", () => {
    expect(describeProvider({}).provider).toBe("local");
    expect(describeProvider({}).notice).toMatch(/ANTHROPIC_API_KEY or OPENAI_API_KEY/);
    const anthropic = describeProvider({ ANTHROPIC_API_KEY: "sk-ant-secret-123456789", OPENAI_API_KEY: "sk-x" });
    expect(anthropic.provider).toBe("anthropic");
    expect(anthropic.notice).not.toContain("secret");
    expect(describeProvider({ OPENAI_API_KEY: "sk-y" }).provider).toBe("openai");
  });
});
