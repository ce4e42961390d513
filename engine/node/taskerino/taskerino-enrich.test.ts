import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine/index.ts";
import { createEnrichmentFeature } from "../../src/enrichment/index.ts";
import { createFakeAi } from "../../src/testing/fake-ai/index.ts";
import { createStorageFeature, type StorageFeature } from "../../src/storage/index.ts";
import { parseArgs } from "../args.ts";
import { runCli } from "../cli.ts";
import type { CommandContext } from "../commands/command.ts";
import { enrichCommand } from "../commands/enrich.ts";
import { importCommand } from "../commands/import.ts";
import { createNodeHost } from "../node-host.ts";
import { createOutput } from "../output.ts";
import { hasFfmpeg } from "./fixtures.ts";
import { IDS, writeDataFolder } from "./scenario.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

async function importScenario(): Promise<string> {
  const root = tempDir("taskerino-data-");
  writeDataFolder(root, { compressed: true, videoDir: tempDir("taskerino-videos-") });
  const dataDir = tempDir("stint-import-");
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = "";
  stderr.on("data", (c) => (err += c));
  expect(await runCli(["import", "--taskerino", root, "--data-dir", dataDir], { stdout, stderr, env: {} }, [importCommand]), err).toBe(0);
  return dataDir;
}

async function enrich(engine: Engine, dataDir: string, argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  stdout.on("data", (c) => (out += c));
  const context: CommandContext = { args: parseArgs(argv, enrichCommand.flags), json: true, verbose: false, dataDir, out: createOutput({ json: true, stdout, stderr }), openEngine: async () => engine, env: {} };
  expect(await enrichCommand.run(context)).toBe(0);
  return JSON.parse(out.trim().split("\n").at(-1)!) as { job: { status: string } };
}

describe.skipIf(!hasFfmpeg)("an imported session whose audio was MP3", () => {
  it("enriches on the machine: the decoded WAV goes through the audio stage", async () => {
    const dataDir = await importScenario();
    const engine = await createEngine(createNodeHost({ dataDir, env: {} }), [createStorageFeature(), createEnrichmentFeature({ batchPollMs: 50 })]);
    try {
      const result = await enrich(engine, dataDir, [IDS.a, "--provider", "local", "--json"]);
      expect(result.job.status).toBe("completed");
      const storage = engine.context.features.get("storage") as StorageFeature;
      const status = (await storage.sessions.getMetadata(IDS.a))?.enrichmentStatus;
      expect(status?.status).toBe("completed");
      expect(status?.stages.audio?.status, JSON.stringify(status?.stages)).toBe("completed");
    } finally {
      await engine.stop();
    }
  }, 120_000);

  it("enriches against the cloud providers (fake servers): the decoded audio is transcribed", async () => {
    const dataDir = await importScenario();
    const fake = createFakeAi();
    const server = await fake.listen();
    const env = { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: server.url };
    const engine = await createEngine(createNodeHost({ dataDir, env }), [createStorageFeature(), createEnrichmentFeature({ batchPollMs: 50 })]);
    try {
      const result = await enrich(engine, dataDir, [IDS.a, "--provider", "openai", "--audio-provider", "openai", "--json"]);
      expect(result.job.status).toBe("completed");
      expect(fake.requests.some((r) => r.api === "openai" && r.path.includes("audio/transcriptions") && r.status === 200)).toBe(true);
    } finally {
      await engine.stop();
      await server.close();
    }
  }, 120_000);
});
