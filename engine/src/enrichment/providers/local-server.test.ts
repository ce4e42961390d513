import { afterEach, describe, expect, it } from "vitest";
import { createMemoryHost } from "../../host/index.ts";
import { createFakeOllama, type FakeOllama } from "../../testing/fake-ai/fake-ollama.ts";
import { costOf } from "../cost/prices.ts";
import { localChapters } from "./local-chapters.ts";
import { createLocalServerProvider, isLoopbackUrl } from "./local-server.ts";
import { localSummary } from "./local-summary.ts";
import type { CallContext, ImageInput, TimelineContext } from "./port.ts";

const ctx: CallContext = { signal: new AbortController().signal, timeoutMs: 30_000 };
const context: TimelineContext = {
  sessionName: "Morning",
  durationMs: 600_000,
  screenshots: [
    { ref: "0", t: 0, activity: "Editing auth.ts in VS Code", application: "Visual Studio Code", details: "// TODO: rotate the signing key" },
    { ref: "5", t: 300_000, activity: "Call: Sprint planning", application: "Zoom", details: "Agenda: sprint planning" },
  ],
  transcript: [],
  markers: [],
  screenshotTotal: 12,
};
const image = (ref: string): ImageInput => ({ ref, t: 0, bytes: new Uint8Array([137, 80, 78, 71]), mimeType: "image/png", width: 4, height: 4, path: `shots/${ref}.png` });

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function provider(server: FakeOllama, model = "auto") {
  return createLocalServerProvider({ host: createMemoryHost(), baseURL: `${server.url}/v1`, model, fetch: globalThis.fetch });
}

describe("local-server provider against a fake Ollama", () => {
  it("names chapters and writes the summary through JSON-schema structured output, at $0, after a slow first byte", async () => {
    fake = await createFakeOllama({ firstByteDelayMs: 300 });
    const p = provider(fake);
    expect(p.name).toBe("local-server");
    expect(p.local).toBe(true);
    const chapters = await p.chapters(context, ctx);
    expect(chapters.value.map((c) => c.title)).toEqual(["Named by the model 0", "Named by the model 1"]);
    // Times and evidence stay the extracted ones: the model cannot point at a moment that does not exist.
    expect(chapters.value.map((c) => c.tStart)).toEqual(localChapters(context).map((c) => c.tStart));
    const chat = fake.requests.filter((r) => r.path === "/v1/chat/completions");
    expect(chat[0]).toMatchObject({ model: "llama3.2:3b", schemaName: "answer", strict: true, images: 0 });
    expect(chapters.usage.every((u) => u.provider === "local-server" && u.model === "llama3.2:3b" && u.inputTokens > 0 && costOf(u) === 0)).toBe(true);

    const summary = await p.summary({ ...context, chapters: chapters.value }, ctx);
    expect(summary.value.summary).toMatch(/^Written by the local model\./);
    expect(summary.value.summary).toContain("Made on this machine by llama3.2:3b");
    expect(summary.value.tasks.map((t) => t.title)).toEqual(localSummary({ ...context, chapters: chapters.value }).tasks.map((t) => t.title));
  });

  it("asks again, a bounded number of times, when the answer is not valid", async () => {
    fake = await createFakeOllama();
    const p = provider(fake);
    fake.answerInvalid(1, "text");
    const chapters = await p.chapters(context, ctx);
    const chat = fake.requests.filter((r) => r.path === "/v1/chat/completions");
    expect(chat.map((r) => r.invalid)).toEqual([true, false]);
    expect(chat[1]!.prompt).toContain("Your previous answer was not valid");
    expect(chapters.usage).toHaveLength(2);
    expect(chapters.value[0]!.title).toBe("Named by the model 0");

    fake.answerInvalid(5, "schema");
    await expect(p.summary({ ...context, chapters: chapters.value }, ctx)).rejects.toThrow(/after 3 tries/);
    expect(fake.requests.filter((r) => r.path === "/v1/chat/completions" && r.invalid)).toHaveLength(4);
  });

  it("sends images only to a model that can see", async () => {
    fake = await createFakeOllama({ models: [{ name: "llama3.2:3b", vision: false, contextLength: 4096 }, { name: "llava:7b", vision: true, contextLength: 4096 }] });
    const textOnly = await provider(fake, "llama3.2:3b").analyseScreenshots([image("0"), image("1")], ctx);
    expect(fake.requests.some((r) => r.images > 0)).toBe(false);
    expect(textOnly.value.map((v) => v.ref)).toEqual(["0", "1"]);
    expect(textOnly.usage).toEqual([]);

    const seeing = await provider(fake, "llava:7b").analyseScreenshots([image("0"), image("1")], ctx);
    const sent = fake.requests.filter((r) => r.images > 0);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ model: "llava:7b", images: 2, schemaName: "report_screenshots" });
    expect(seeing.value.map((v) => v.ref)).toEqual(["0", "1"]);
    expect(seeing.usage[0]).toMatchObject({ provider: "local-server", images: 2 });
  });

  it("says plainly when no server answers, and knows a loopback address", async () => {
    const down = createLocalServerProvider({ host: createMemoryHost(), baseURL: "http://127.0.0.1:9/v1", model: "auto", fetch: globalThis.fetch });
    await expect(down.chapters(context, ctx)).rejects.toMatchObject({ code: "enrichment.provider_unavailable" });
    expect(isLoopbackUrl("http://localhost:1234/v1")).toBe(true);
    expect(isLoopbackUrl("http://192.168.1.20:11434/v1")).toBe(false);
  });
});
