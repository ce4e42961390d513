import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine/index.ts";
import { PRODUCT_FEATURES } from "../../src/product/index.ts";
import { monthOf } from "../../src/enrichment/index.ts";
import { encodePng } from "../../src/image/index.ts";
import { runCli } from "../cli.ts";
import { createNodeHost } from "../node-host.ts";
import { exportCommand, storageOf } from "./export.ts";
import { importCommand } from "./import.ts";
import { captureIo as io } from "../cli-capture.ts";

const COMMANDS = [exportCommand, importCommand];


const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function png(shade: number): Uint8Array {
  const width = 32;
  const height = 24;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    rgba.set([(x * shade) % 256, shade, 255 - shade, 255], i * 4);
  }
  return encodePng({ width, height, data: rgba });
}

/** A session made by `stint import`, then given a summary, markers and a ledger entry as enrichment would. */
async function enrichedSession(dataDir: string): Promise<string> {
  const folder = tempDir("stint-export-src-");
  writeFileSync(join(folder, "001.png"), png(10));
  writeFileSync(join(folder, "002.png"), png(200));
  const run = io();
  expect(await runCli(["import", folder, "--name", "Design review", "--json", "--data-dir", dataDir], run.io, COMMANDS), run.err()).toBe(0);
  const { sessionId } = JSON.parse(run.out().trim().split("\n").at(-1)!) as { sessionId: string };
  const engine = await createEngine(createNodeHost({ dataDir, env: {} }), PRODUCT_FEATURES);
  try {
    const storage = storageOf(engine);
    await storage.sessions.saveSummary({
      sessionId,
      summary: "Reviewed the onboarding flow and agreed on the empty state.",
      points: [{ text: "Empty state agreed", evidence: [{ tStart: 5000, tEnd: 5000, kind: "screenshot", ref: "1" }] }],
      chapters: [{ title: "Onboarding walkthrough", startMs: 0, endMs: 5000 }],
      tasks: [{ id: "t1", title: "Draft the empty-state copy", evidence: [{ tStart: 5000, tEnd: 5000, kind: "screenshot", ref: "1" }] }],
      notes: [{ id: "n1", text: "Keep the illustration small", evidence: [{ tStart: 65_000, tEnd: 66_000, kind: "screenshot", ref: "0" }] }],
      provider: "anthropic",
      createdAt: 1_700_000_000_000,
    });
    await storage.sessions.updateMetadata(sessionId, (current) => ({
      ...current,
      enrichmentStatus: { status: "completed", stages: { summary: { status: "completed" } }, totalCost: 0.0123 },
    }));
    await storage.store.putJson(`markers/${sessionId}.json`, [{ id: "m1", sessionId, sessionTimeMs: 4000, at: 1_700_000_004_000, note: "decision" }]);
    // The session was imported "now": its ledger entry belongs to the month the session started in,
    // whatever today's date is.
    const { startedAt } = await storage.sessions.mustGetMetadata(sessionId);
    const month = monthOf(startedAt + 10_000);
    await storage.store.putJson(`ledger/${month}/entries/job1.summary.0.json`, {
      id: "job1.summary.0",
      jobId: "job1",
      sessionId,
      stepId: "summary",
      at: startedAt + 10_000,
      month,
      usage: { provider: "anthropic", model: "m", inputTokens: 1000, outputTokens: 200, audioSeconds: 0, images: 0, batch: false },
      costUsd: 0.0123,
    });
  } finally {
    await engine.stop();
  }
  return sessionId;
}

describe("stint export", () => {
  it("writes a Markdown report with summary, chapters, tasks, notes with timestamps, integrity and cost", async () => {
    const dataDir = tempDir("stint-export-");
    const sessionId = await enrichedSession(dataDir);
    const run = io();
    expect(await runCli(["export", sessionId, "--data-dir", dataDir], run.io, COMMANDS), run.err()).toBe(0);
    const text = run.out();
    expect(text).toContain("# Design review");
    expect(text).toContain("Reviewed the onboarding flow");
    expect(text).toMatch(/## Chapters\n\n- 0:00 Onboarding walkthrough/);
    expect(text).toContain("- [ ] Draft the empty-state copy (at 0:05)");
    expect(text).toContain("- Keep the illustration small (at 1:05)");
    expect(text).toContain("## Capture integrity");
    expect(text).toContain("Total: $0.0123");
  }, 60_000);

  it("writes the full JSON atomically to --out, reachable by an id prefix", async () => {
    const dataDir = tempDir("stint-export-");
    const sessionId = await enrichedSession(dataDir);
    const outDir = tempDir("stint-export-out-");
    const target = join(outDir, "nested", "session.json");
    const run = io();
    expect(await runCli(["export", sessionId.slice(0, 8), "--format", "json", "--out", target, "--json", "--data-dir", dataDir], run.io, COMMANDS), run.err()).toBe(0);
    expect(JSON.parse(run.out().trim().split("\n").at(-1)!)).toMatchObject({ sessionId, format: "json", out: target });
    const full = JSON.parse(readFileSync(target, "utf8")) as Record<string, any>;
    expect(full.format).toBe("stint.session");
    expect(full.metadata.id).toBe(sessionId);
    expect(full.screenshots).toHaveLength(2);
    expect(full.screenshots[0]).toMatchObject({ width: 32, height: 24, sessionTimeMs: 0 });
    expect(full.markers).toEqual([expect.objectContaining({ id: "m1", note: "decision" })]);
    expect(full.summary.tasks[0].title).toBe("Draft the empty-state copy");
    expect(full.cost).toMatchObject({ totalUsd: 0.0123, byStage: { summary: { calls: 1, usd: 0.0123 } } });
    expect(full.cost.ledger).toHaveLength(1);
    expect(full.integrity.problems).toEqual([]);
    // No temp file left beside the target.
    expect(readdirSync(join(outDir, "nested"))).toEqual(["session.json"]);
  }, 60_000);

  it("prints the full JSON as one line on stdout with --json and no --out", async () => {
    const dataDir = tempDir("stint-export-");
    const sessionId = await enrichedSession(dataDir);
    const run = io();
    expect(await runCli(["export", sessionId, "--format", "json", "--json", "--data-dir", dataDir], run.io, COMMANDS)).toBe(0);
    const lines = run.out().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).metadata.id).toBe(sessionId);
  }, 60_000);

  it("fails with one clear line for an unknown id and a usage error for bad flags", async () => {
    const dataDir = tempDir("stint-export-");
    const unknown = io();
    expect(await runCli(["export", "0b0b0b0b-0000-4000-8000-000000000000", "--data-dir", dataDir], unknown.io, COMMANDS)).toBe(1);
    expect(unknown.err().trim().split("\n")).toEqual(["stint export: no session 0b0b0b0b-0000-4000-8000-000000000000. Run `stint list` to see the sessions."]);
    const garbage = io();
    expect(await runCli(["export", "../../etc/passwd", "--data-dir", dataDir], garbage.io, COMMANDS)).toBe(1);
    expect(garbage.err()).toContain("no session");
    const format = io();
    expect(await runCli(["export", "abc", "--format", "pdf", "--data-dir", dataDir], format.io, COMMANDS)).toBe(2);
    expect(format.err()).toContain("--format must be md or json");
    const flag = io();
    expect(await runCli(["export", "abc", "--bogus", "--data-dir", dataDir], flag.io, COMMANDS)).toBe(2);
    const missing = io();
    expect(await runCli(["export", "--data-dir", dataDir], missing.io, COMMANDS)).toBe(2);
    expect(missing.err()).toContain("missing <id>");
    const noValue = io();
    expect(await runCli(["export", "abc", "--data-dir", dataDir, "--out"], noValue.io, COMMANDS)).toBe(2);
  }, 60_000);

  it("fails cleanly when --out cannot be written, leaving no partial file", async () => {
    const dataDir = tempDir("stint-export-");
    const sessionId = await enrichedSession(dataDir);
    const blocker = join(tempDir("stint-export-out-"), "a-file");
    writeFileSync(blocker, "x");
    const run = io();
    // A file "inside" a regular file can never be created, even as root.
    expect(await runCli(["export", sessionId, "--out", join(blocker, "report.md"), "--data-dir", dataDir], run.io, COMMANDS)).toBe(1);
    expect(run.err()).toMatch(/^stint export: cannot write .*report\.md \((ENOTDIR|EEXIST)\)\. Check the path given to --out\.\n$/);
    if (process.getuid?.() !== 0) {
      const readOnly = tempDir("stint-export-ro-");
      mkdirSync(join(readOnly, "locked"));
      chmodSync(join(readOnly, "locked"), 0o500);
      const denied = io();
      expect(await runCli(["export", sessionId, "--out", join(readOnly, "locked", "r.md"), "--data-dir", dataDir], denied.io, COMMANDS)).toBe(1);
      expect(existsSync(join(readOnly, "locked", "r.md"))).toBe(false);
      chmodSync(join(readOnly, "locked"), 0o700);
    }
  }, 60_000);
});
