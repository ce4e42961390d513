import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine/index.ts";
import { PRODUCT_FEATURES } from "../../src/product/index.ts";
import { utf8Encode } from "../../src/host/index.ts";
import { createNodeHost } from "../node-host.ts";
import { storageOf } from "./export.ts";
import { deleteCommand, gcCommand, listCommand, repairCommand, showCommand, verifyCommand } from "./storage-command-set.ts";
import { runCliIn } from "../cli-capture.ts";

const COMMANDS = [listCommand, showCommand, deleteCommand, gcCommand, verifyCommand, repairCommand];
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function cli(dataDir: string, ...argv: string[]) {
  return runCliIn(dataDir, COMMANDS, argv);
}

async function seed(dataDir: string): Promise<{ first: string; second: string }> {
  const engine = await createEngine(createNodeHost({ dataDir, env: {} }), PRODUCT_FEATURES);
  try {
    const storage = storageOf(engine);
    const ids: string[] = [];
    for (const [i, name] of ["Design review", "Bug bash"].entries()) {
      const id = engine.context.host.crypto.randomUUID();
      ids.push(id);
      await storage.sessions.saveMetadata({ schemaVersion: 2, id, name, status: "completed", startedAt: 1_700_000_000_000 + i * 1000, endedAt: 1_700_000_100_000, activeDurationMs: 90_000, tags: i === 0 ? ["design"] : [] });
      const appends = [];
      for (let n = 0; n < 25; n++) {
        const attachment = await storage.attachments.saveAttachment(utf8Encode(`${name}-${n % 24}`), { type: "screenshot", mimeType: "image/png" });
        appends.push(storage.sessions.appendScreenshot(id, { sequenceNumber: n, capturedAt: 1_700_000_000_000 + n * 5000, sessionTimeMs: n * 5000, attachmentId: attachment.id, width: 10, height: 10, isDuplicate: n === 24, ...(n === 24 ? { duplicateOf: 0 } : {}) }));
      }
      await Promise.all(appends);
    }
    return { first: ids[0]!, second: ids[1]! };
  } finally {
    await engine.stop();
  }
}

describe("storage commands end to end", () => {
  it("list, show, verify a corrupted chunk, repair, delete and gc", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "stint-storage-cli-"));
    dirs.push(dataDir);
    const { first, second } = await seed(dataDir);

    const list = await cli(dataDir, "list", "--json");
    expect(list.code, list.err).toBe(0);
    expect((list.last().sessions as { id: string }[]).map((s) => s.id)).toEqual([second, first]);
    const filtered = await cli(dataDir, "list", "--tag", "design");
    expect(filtered.out).toContain("Design review");
    expect(filtered.out).not.toContain("Bug bash");

    const show = await cli(dataDir, "show", first.slice(0, 8), "--json");
    expect(show.code, show.err).toBe(0);
    expect(show.last()).toMatchObject({ metadata: { id: first, name: "Design review" }, duplicates: 1 });
    expect((show.last().screenshots as unknown[]).length).toBe(25);

    expect((await cli(dataDir, "verify")).code).toBe(0);

    // Flip one byte inside chunk 1 of the first session.
    const chunk = join(dataDir, "screenshots", first, "1.json");
    const bytes = readFileSync(chunk);
    bytes[bytes.length - 30] = bytes[bytes.length - 30]! ^ 0x01;
    writeFileSync(chunk, bytes);
    const verify = await cli(dataDir, "verify", "--json");
    expect(verify.code).toBe(1);
    const problems = verify.last().problems as { kind: string; sessionId?: string; chunkIndex?: number; quarantinedTo?: string }[];
    expect(problems).toContainEqual(expect.objectContaining({ kind: "chunk_corrupt", sessionId: first, chunkIndex: 1, quarantinedTo: expect.stringMatching(/^quarantine\//) }));
    const human = await cli(dataDir, "verify");
    expect(human.code).toBe(1);
    expect(human.out).toMatch(/chunk_missing|chunk_corrupt/);

    // The rest of the session still loads.
    const after = await cli(dataDir, "show", first, "--json");
    expect(after.code).toBe(0);
    expect((after.last().screenshots as unknown[]).length).toBe(20);

    const repair = await cli(dataDir, "repair", "--json");
    expect(repair.code, repair.out).toBe(0);
    expect(repair.last()).toMatchObject({ problemsAfter: 0, lostChunksRecorded: 1 });
    expect((await cli(dataDir, "verify")).code).toBe(0);

    const removed = await cli(dataDir, "delete", second, "--json");
    expect(removed.code).toBe(0);
    expect((await cli(dataDir, "list", "--json")).last()).toMatchObject({ total: 1 });
    const gc = await cli(dataDir, "gc", "--older-than", "0s", "--json");
    expect(gc.code).toBe(0);
    // The 24 distinct images of the deleted session; the 4 that only the quarantined chunk named stay.
    expect(gc.last()).toMatchObject({ removed: 24 });
    expect((await cli(dataDir, "verify")).code).toBe(0);
  }, 60_000);

  it("show prints integrity warnings as readable lines", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "stint-storage-cli-"));
    dirs.push(dataDir);
    const { first } = await seed(dataDir);
    const warning = { sessionId: first, service: "audio", kind: "silence", severity: "warning", resolved: true, message: "microphone silent", at: 1_700_000_004_000, sessionTimeMs: 245_000 };
    const engine = await createEngine(createNodeHost({ dataDir, env: {} }), PRODUCT_FEATURES);
    try {
      await storageOf(engine).store.putJson(`integrity/${first}.json`, { sessionId: first, warnings: [warning, "older plain warning"] });
    } finally {
      await engine.stop();
    }
    const show = await cli(dataDir, "show", first);
    expect(show.code, show.err).toBe(0);
    expect(show.out).toContain("warning     warning audio at 4m05s: microphone silent (resolved)");
    expect(show.out).toContain("warning     older plain warning");
    expect(show.out).not.toContain("[object Object]");
  }, 60_000);

  it("fails cleanly on unknown or hostile ids and bad flags", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "stint-storage-cli-"));
    dirs.push(dataDir);
    const unknown = await cli(dataDir, "show", "00000000-0000-4000-8000-000000000000");
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("no session");
    for (const hostile of ["../../etc/passwd", "..", "a/b"]) {
      const result = await cli(dataDir, "delete", hostile);
      expect(result.code).toBe(1);
    }
    expect((await cli(dataDir, "list", "--status", "exploded")).code).toBe(2);
    expect((await cli(dataDir, "show")).code).toBe(2);
    expect((await cli(dataDir, "gc", "--older-than", "soon")).code).toBe(2);
    const empty = await cli(dataDir, "list");
    expect(empty.code).toBe(0);
    expect(empty.out).toContain("No sessions");
  }, 60_000);
});
