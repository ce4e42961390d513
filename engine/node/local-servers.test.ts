import { afterEach, describe, expect, it } from "vitest";
import { createFakeOllama, type FakeOllama } from "../src/testing/fake-ai/fake-ollama.ts";
import { detectLocalServers } from "./local-servers.ts";

let fake: FakeOllama | undefined;
afterEach(async () => fake?.close());

describe("local model server detection", () => {
  it("finds a server answering on a loopback port and lists its models; a closed port is skipped", async () => {
    fake = await createFakeOllama({ models: [{ name: "llama3.2:3b", vision: false, contextLength: 4096 }, { name: "llava:7b", vision: true, contextLength: 4096 }] });
    const port = Number(new URL(fake.url).port);
    const found = await detectLocalServers([{ name: "Ollama", port }, { name: "nothing", port: 9 }]);
    expect(found).toEqual([{ name: "Ollama", url: `http://127.0.0.1:${port}/v1`, models: ["llama3.2:3b", "llava:7b"] }]);
  });
});
