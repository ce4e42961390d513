import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine/index.ts";
import { PRODUCT_FEATURES } from "../../src/product/index.ts";
import { plant, sessionId } from "../../src/search/corpus.test-helpers.ts";
import { createNodeHost } from "../node-host.ts";
import { exportCommand, storageOf } from "./export.ts";
import { runCliIn } from "../cli-capture.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

function cli(dataDir: string, ...argv: string[]) {
  return runCliIn(dataDir, [exportCommand], argv);
}

async function withStorage(dataDir: string, body: (storage: ReturnType<typeof storageOf>) => Promise<void>) {
  const engine = await createEngine(createNodeHost({ dataDir, env: {} }), PRODUCT_FEATURES);
  try {
    await body(storageOf(engine));
  } finally {
    await engine.stop();
  }
}

describe("stint export --all --format md --to (a notes vault)", () => {
  it("writes one note per session with front matter, and a second run changes nothing", async () => {
    const dataDir = temp("stint-vault-data-");
    const vault = temp("stint-vault-");
    await withStorage(dataDir, async (storage) => {
      await plant(storage, { n: 1, name: "Harbour planning", day: 0, tags: ["ops", "q1"], screens: [[0, "dashboard", ["Safari"]]], summary: { text: "Budget talk." } });
      await plant(storage, { n: 2, name: "Retro: what/why?", day: 2 });
    });
    writeFileSync(join(vault, "My own note.md"), "mine\n");
    const first = await cli(dataDir, "export", "--all", "--format", "md", "--to", vault, "--json");
    expect(first.code).toBe(0);
    expect(first.last()).toMatchObject({ sessions: 2, written: 2, unchanged: 0 });
    const notes = readdirSync(vault).filter((f) => f.endsWith(".md")).sort();
    expect(notes).toEqual(["2026-03-02 Harbour planning (00000000).md", "2026-03-04 Retro what why (00000000).md", "My own note.md"]);
    const harbour = readFileSync(join(vault, notes[0]!), "utf8");
    expect(harbour).toMatch(/^---\nstint_id: 00000000-0000-4000-8000-000000000001\ndate: 2026-03-02T09:00:00.000Z\nduration_minutes: 10\ntags: \["ops", "q1"\]\napps: \["Safari"\]\ncost_usd: 0.0000\n---\n/);
    expect(harbour).toContain("Budget talk.");
    const stamps = notes.map((f) => statSync(join(vault, f)).mtimeMs);

    const second = await cli(dataDir, "export", "--all", "--format", "md", "--to", vault, "--json");
    expect(second.last()).toMatchObject({ written: 0, unchanged: 2 });
    expect(notes.map((f) => statSync(join(vault, f)).mtimeMs)).toEqual(stamps);
    expect(readFileSync(join(vault, "My own note.md"), "utf8")).toBe("mine\n");
  });

  it("updates its own notes under their first names, and leaves a note the user edited alone", async () => {
    const dataDir = temp("stint-vault-data-");
    const vault = temp("stint-vault-");
    await withStorage(dataDir, async (storage) => {
      await plant(storage, { n: 1, name: "Harbour planning", day: 0 });
      await plant(storage, { n: 2, name: "Retro", day: 2 });
    });
    await cli(dataDir, "export", "--all", "--to", vault);
    const retro = join(vault, "2026-03-04 Retro (00000000).md");
    writeFileSync(retro, `${readFileSync(retro, "utf8")}\nMy thoughts.\n`);
    await withStorage(dataDir, async (storage) => {
      await storage.sessions.updateMetadata(sessionId(1), (m) => ({ ...m, name: "Harbour budget", tags: ["money"] }));
      await storage.sessions.updateMetadata(sessionId(2), (m) => ({ ...m, tags: ["later"] }));
    });
    const run = await cli(dataDir, "export", "--all", "--to", vault, "--json");
    expect(run.last()).toMatchObject({ written: 1, unchanged: 0, keptEdited: 1 });
    const harbour = readFileSync(join(vault, "2026-03-02 Harbour planning (00000000).md"), "utf8");
    expect(harbour).toContain('tags: ["money"]');
    expect(harbour).toContain("Harbour budget");
    expect(readFileSync(retro, "utf8")).toContain("My thoughts.");
    expect(readdirSync(vault).filter((f) => f.endsWith(".md"))).toHaveLength(2);
  });
});
