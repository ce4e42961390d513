import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine/index.ts";
import { PRODUCT_FEATURES } from "../../src/product/index.ts";
import { encodePng } from "../../src/image/index.ts";
import { runCli } from "../cli.ts";
import { storageOf } from "../commands/export.ts";
import { importCommand } from "../commands/import.ts";
import { createNodeHost } from "../node-host.ts";
import { writeCollection, writeFileAttachment } from "./fixtures.ts";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const artifacts = mkdtempSync(join(tmpdir(), "stint-kill-"));
let cli = "";

beforeAll(async () => {
  // The real command, as a child process that can be killed.
  mkdirSync(join(repo, ".test-artifacts"), { recursive: true });
  cli = join(repo, ".test-artifacts", `stint-cli-${process.pid}.mjs`);
  await build({ entryPoints: [join(repo, "engine/node/main.ts")], outfile: cli, bundle: true, format: "esm", platform: "node", target: "node20", packages: "external", define: { __STINT_VERSION__: '"test"' }, logLevel: "error" });
}, 60_000);
afterAll(() => {
  rmSync(artifacts, { recursive: true, force: true });
  if (cli !== "") rmSync(cli, { force: true });
});

const SESSIONS = 30;
const SHOTS = 8;

/** A data folder of distinct sessions, each with its own PNG screenshots. */
function dataFolder(): string {
  const root = join(artifacts, "taskerino");
  const sessions = [];
  for (let s = 0; s < SESSIONS; s++) {
    const screenshots = [];
    for (let n = 0; n < SHOTS; n++) {
      const rgba = new Uint8Array(64 * 48 * 4).map((_, i) => (i * (s + 3) + n * 31) & 0xff);
      writeFileAttachment(root, `att-${s}-${n}`, { type: "screenshot", mimeType: "image/png" }, encodePng({ width: 64, height: 48, data: rgba }));
      screenshots.push({ id: `shot-${s}-${n}`, timestamp: 1_709_280_000_000 + s * 3_600_000 + n * 60_000, attachmentId: `att-${s}-${n}`, analysisStatus: "pending" });
    }
    sessions.push({ id: `session-${s}`, name: `Session ${s}`, status: "completed", startTime: 1_709_280_000_000 + s * 3_600_000, endTime: 1_709_280_000_000 + s * 3_600_000 + SHOTS * 60_000, screenshots, extractedTaskIds: [], extractedNoteIds: [], tags: [] });
  }
  writeCollection(root, "sessions", sessions, true);
  return root;
}

describe("a killed stint import --taskerino", () => {
  it("resumes without duplicates and leaves no half session or orphan blob (real SIGKILL)", async () => {
    const root = dataFolder();
    const dataDir = join(artifacts, "data");
    const child = spawn(process.execPath, [cli, "import", "--taskerino", root, "--data-dir", dataDir], { stdio: "ignore" });
    const mapped = join(dataDir, "imports", "taskerino");
    let killedWhileImporting = false;
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    // Kill once a few sessions are whole and another one is being written.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        const done = existsSync(mapped) ? readdirSync(mapped).length : 0;
        const pending = existsSync(join(dataDir, "imports", "pending")) ? readdirSync(join(dataDir, "imports", "pending")).length : 0;
        if (done >= 3 && pending > 0) {
          killedWhileImporting = done < SESSIONS;
          child.kill("SIGKILL");
          clearInterval(poll);
          resolve();
        }
      }, 5);
      child.on("exit", () => {
        clearInterval(poll);
        resolve();
      });
    });
    expect(await exited).toBe("SIGKILL");
    expect(killedWhileImporting).toBe(true);

    const stderr = new PassThrough();
    const stdout = new PassThrough();
    let err = "";
    let out = "";
    stderr.on("data", (c) => (err += c));
    stdout.on("data", (c) => (out += c));
    expect(await runCli(["import", "--taskerino", root, "--json", "--data-dir", dataDir], { stdout, stderr, env: {} }, [importCommand]), err).toBe(0);
    const result = JSON.parse(out.trim().split("\n").at(-1)!) as { sessions: { outcome: string }[] };
    const outcomes = result.sessions.map((s) => s.outcome);
    expect(outcomes.filter((o) => o === "unchanged").length).toBeGreaterThanOrEqual(3);
    expect(outcomes.every((o) => o === "unchanged" || o === "imported")).toBe(true);

    const engine = await createEngine(createNodeHost({ dataDir, env: {} }), PRODUCT_FEATURES);
    try {
      const storage = storageOf(engine);
      const list = await storage.sessions.listMetadata({ limit: 1000 });
      expect(list.total).toBe(SESSIONS);
      expect(new Set(list.sessions.map((s) => s.migratedFrom?.id)).size).toBe(SESSIONS);
      for (const s of list.sessions) expect(s.screenshots.itemCount, s.name).toBe(SHOTS);
      expect(await storage.store.list("imports/pending/")).toEqual([]);
      // Every stored blob is named by a session: the killed session's blobs went with it.
      const blobs = await storage.store.list("attachments/blobs/");
      expect(blobs).toHaveLength(SESSIONS * SHOTS);
      for (const key of blobs) {
        const id = key.slice("attachments/blobs/".length, -".dat".length);
        expect((await storage.attachments.getAttachment(id))?.refCount, id).toBe(1);
      }
      expect((await storage.verify()).problems).toEqual([]);
    } finally {
      await engine.stop();
    }
  }, 180_000);
});
