import { describe, expect, it } from "vitest";
import { describeProvider } from "./provider-notice.ts";

describe("provider notice", () => {
  it("names the provider background enrichment uses — the saved setting, never a key in the environment — and how to change it", () => {
    expect(describeProvider({}).provider).toBe("local");
    expect(describeProvider({}).notice).toMatch(/ANTHROPIC_API_KEY or OPENAI_API_KEY/);
    const keys = describeProvider({ ANTHROPIC_API_KEY: "sk-ant-secret-123456789", OPENAI_API_KEY: "sk-x" });
    expect(keys.provider).toBe("local");
    expect(keys.notice).toContain("--provider anthropic");
    expect(keys.notice).not.toContain("secret");
    const saved = describeProvider({ OPENAI_API_KEY: "sk-y" }, "openai");
    expect(saved.provider).toBe("openai");
    expect(saved.notice).toContain("saved setting");
  });
});
