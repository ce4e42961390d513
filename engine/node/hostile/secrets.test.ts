/**
 * A provider that echoes the key it was sent ("401 invalid x-api-key: sk-…")
 * once had it stored verbatim: in command output, job shards, session
 * metadata, the list index and JSON exports. Replayed end to end through the
 * `stint` command against a loopback fake of the provider's API.
 */
import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodePng } from "../../src/image/index.ts";
import { createFakeAi } from "../../src/testing/fake-ai/index.ts";
import { runCli } from "../cli.ts";
import { captureIo } from "../cli-capture.ts";
import { enrichCommand } from "../commands/enrich.ts";
import { exportCommand } from "../commands/export.ts";
import { importCommand } from "../commands/import.ts";
import { queueCommand } from "../commands/queue.ts";
import { listCommand, showCommand } from "../commands/storage-command-set.ts";
import { createGround } from "./fixture.ts";

const KEY = "sk-ant-api03-HostileEchoKey_0123456789abcdefghijklmnopqrstuvwxyzABCD";
const COMMANDS = [importCommand, enrichCommand, exportCommand, showCommand, listCommand, queueCommand];

/** Every file under `dir`, as text. */
function allFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    else found.push(readFileSync(path, "latin1"));
  };
  walk(dir);
  return found;
}

describe("a provider that echoes the key back", () => {
  it("never lets the key reach the command's output, any stored file or an export", async () => {
    const ground = createGround("secrets");
    const fake = createFakeAi();
    const server = await fake.listen();
    try {
      const env = { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: server.url, STINT_DATA_DIR: ground.dataDir };
      const run = async (argv: string[]) => {
        const io = captureIo(env);
        const code = await runCli([...argv, "--data-dir", ground.dataDir], io.io, COMMANDS);
        return { code, out: io.out(), err: io.err() };
      };
      const folder = join(ground.root, "shots");
      mkdirSync(folder);
      writeFileSync(join(folder, "1.png"), encodePng({ width: 8, height: 6, data: new Uint8Array(192).fill(40) }));
      writeFileSync(join(folder, "2.png"), encodePng({ width: 8, height: 6, data: new Uint8Array(192).fill(220) }));
      const imported = await run(["import", folder, "--json"]);
      expect(imported.code, imported.err).toBe(0);
      const sessionId = String((JSON.parse(imported.out.trim().split("\n").at(-1)!) as { sessionId: string }).sessionId);

      fake.inject({ kind: "unauthorized", times: 1_000 });
      const outputs: string[] = [];
      const enrich = await run(["enrich", sessionId, "--provider", "anthropic", "--no-batch", "--send-unread-screenshots"]);
      outputs.push(enrich.out, enrich.err);
      expect(enrich.code).toBe(1);
      // The fault was hit, and its echo is what the user would otherwise have seen.
      expect(fake.faultsHit.unauthorized).toBeGreaterThanOrEqual(1);
      expect(enrich.err).toMatch(/invalid x-api-key: .*\[redacted/);
      for (const argv of [["show", sessionId], ["show", sessionId, "--json"], ["list", "--json"], ["queue", "--json"], ["export", sessionId, "--format", "json"], ["export", sessionId]]) {
        const result = await run(argv);
        expect(result.code, `${argv.join(" ")}: ${result.err}`).toBe(0);
        outputs.push(result.out, result.err);
      }
      const exported = join(ground.root, "export.json");
      expect((await run(["export", sessionId, "--format", "json", "--out", exported])).code).toBe(0);
      outputs.push(readFileSync(exported, "utf8"));

      const leaks = [...outputs, ...allFiles(ground.dataDir)].filter((text) => text.includes(KEY) || text.includes(KEY.slice(0, 24)));
      expect(leaks).toEqual([]);
    } finally {
      await server.close();
      ground.cleanup();
    }
  }, 120_000);
});
