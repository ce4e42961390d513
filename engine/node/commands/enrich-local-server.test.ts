import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine/index.ts";
import { createEnrichmentFeature } from "../../src/enrichment/index.ts";
import { createFakeOllama } from "../../src/testing/fake-ai/fake-ollama.ts";
import { createStorageFeature, type StorageFeature } from "../../src/storage/index.ts";
import { parseArgs } from "../args.ts";
import { createNodeHost } from "../node-host.ts";
import { createOutput } from "../output.ts";
import type { CommandContext } from "./command.ts";
import { enrichCommand } from "./enrich.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("stint enrich --provider local-server", () => {
  it("enriches a session with a model server on this machine, at $0, with the chapters and summary the model wrote", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "stint-local-server-"));
    dirs.push(dataDir);
    const fake = await createFakeOllama({ firstByteDelayMs: 100 });
    const host = createNodeHost({ dataDir, env: {} });
    const engine = await createEngine(host, [createStorageFeature(), createEnrichmentFeature({ batchPollMs: 50 })]);
    try {
      const storage = engine.context.features.get("storage") as StorageFeature;
      const id = "00000000-0000-4000-8000-0000000000d1";
      await storage.sessions.saveMetadata({ schemaVersion: 2, id, name: "Local model", status: "completed", startedAt: Date.now() - 600_000, activeDurationMs: 600_000 });
      for (let i = 0; i < 3; i++) {
        const bytes = new Uint8Array(64).fill(i + 1);
        const att = await storage.attachments.saveAttachment(bytes, { type: "screenshot", mimeType: "image/png" }, { sessionId: id });
        await storage.sessions.appendScreenshot(id, { sequenceNumber: i, capturedAt: Date.now(), sessionTimeMs: i * 200_000, attachmentId: att.id, width: 640, height: 400 });
      }
      const stdout = new PassThrough();
      let out = "";
      stdout.on("data", (c) => (out += c));
      const context: CommandContext = {
        args: parseArgs([id, "--provider", "local-server", "--server-url", `${fake.url}/v1`, "--model", "llama3.2:3b", "--json"], enrichCommand.flags),
        json: true,
        verbose: false,
        dataDir,
        out: createOutput({ json: true, stdout, stderr: new PassThrough() }),
        openEngine: async () => engine,
        env: {},
      };
      expect(await enrichCommand.run(context)).toBe(0);
      const last = JSON.parse(out.trim().split("\n").at(-1)!) as { job: { status: string; cost: { actualUsd: number } } };
      expect(last.job).toMatchObject({ status: "completed", cost: { actualUsd: 0 } });
      const chat = fake.requests.filter((r) => r.path === "/v1/chat/completions");
      expect(chat.length).toBeGreaterThan(0);
      expect(chat.every((r) => r.model === "llama3.2:3b" && r.images === 0)).toBe(true);
      const summary = await storage.sessions.getSummary(id);
      expect(summary?.summary).toContain("Made on this machine by llama3.2:3b");
      expect(summary?.chapters.every((c) => c.title.startsWith("Named by the model"))).toBe(true);
      expect(summary?.provider).toBe("local-server");
    } finally {
      await engine.stop();
      await fake.close();
    }
  });
});
