import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine/index.ts";
import { PRODUCT_FEATURES } from "../../src/product/index.ts";
import { filler, plant, sessionId } from "../../src/search/corpus.test-helpers.ts";
import { createNodeHost } from "../node-host.ts";
import { storageOf } from "./export.ts";
import { searchCommand } from "./search.ts";
import { repairCommand, verifyCommand } from "./storage-command-set.ts";
import { runCliIn } from "../cli-capture.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function cli(dataDir: string, ...argv: string[]) {
  return runCliIn(dataDir, [searchCommand, verifyCommand, repairCommand], argv);
}

/** Two sessions in a data folder, written by an engine that then stops (the index is built by the next one). */
export async function seedSearchFolder(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), "stint-search-"));
  dirs.push(dataDir);
  const engine = await createEngine(createNodeHost({ dataDir, env: {} }), PRODUCT_FEATURES);
  try {
    const storage = storageOf(engine);
    await plant(storage, { n: 1, name: "Harbour planning", day: 0, tags: ["ops"], transcript: [[65_000, `${filler(1, 20)} the lighthouse budget is approved`]] });
    await plant(storage, { n: 2, name: "Lighthouse retro", day: 2, screens: [[30_000, "Lighthouse report 98 points", ["Chrome"]]] });
  } finally {
    await engine.stop();
  }
  return dataDir;
}

describe("stint search", () => {
  it("prints one line per hit (session · time · kind · snippet), best first", async () => {
    const dataDir = await seedSearchFolder();
    const { code, out } = await cli(dataDir, "search", "lighthouse");
    expect(code).toBe(0);
    const lines = out.trim().split("\n");
    expect(lines[0]).toMatch(/^Lighthouse retro \(00000000\) · \d{4}-\d{2}-\d{2} \+0:00 · name · \[Lighthouse\] retro$/);
    expect(lines).toContainEqual(expect.stringMatching(/^Harbour planning \(00000000\) · \d{4}-\d{2}-\d{2} \+1:05 · transcript · .*the \[lighthouse\] budget is approved$/));
  });

  it("answers --json with the hits and honours --limit and filters", async () => {
    const dataDir = await seedSearchFolder();
    const { code, out } = await cli(dataDir, "search", "lighthouse kind:transcript", "--json", "--limit", "5");
    expect(code).toBe(0);
    const result = JSON.parse(out.trim().split("\n").at(-1)!) as { hits: { sessionId: string; kind: string; startMs: number }[] };
    expect(result.hits).toEqual([expect.objectContaining({ sessionId: sessionId(1), kind: "transcript", startMs: 65_000 })]);
    const none = await cli(dataDir, "search", "lighthouse tag:ops app:chrome");
    expect(none.out.trim()).toBe("No matches.");
  });

  it("reports a bad filter as a failure with a hint and a missing query as a usage error", async () => {
    const dataDir = await seedSearchFolder();
    const bad = await cli(dataDir, "search", "after:someday");
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("after:");
    expect((await cli(dataDir, "search")).code).toBe(2);
  });

  it("verify checks the search index and repair rebuilds it", async () => {
    const dataDir = await seedSearchFolder();
    // Before the first search the index is pending, not broken.
    const before = await cli(dataDir, "verify", "--json", "--no-blobs");
    expect(before.code).toBe(0);
    expect(JSON.parse(before.out.trim().split("\n").at(-1)!).search).toMatchObject({ ok: true, pending: [sessionId(1), sessionId(2)] });
    await cli(dataDir, "search", "lighthouse");
    const after = await cli(dataDir, "verify", "--json", "--no-blobs");
    expect(JSON.parse(after.out.trim().split("\n").at(-1)!).search).toMatchObject({ ok: true, pending: [], missing: [], stale: [] });
    const repaired = await cli(dataDir, "repair", "--json");
    expect(JSON.parse(repaired.out.trim().split("\n").at(-1)!).search).toEqual({ sessions: 2 });
  });
});
