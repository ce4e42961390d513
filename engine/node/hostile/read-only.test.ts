/**
 * A read-only data folder and a full disk: reading commands still work, and
 * opening does not insist on writing (an interrupted session is marked later).
 * Runs on a small tmpfs the test mounts; skipped where mounting is refused.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine/index.ts";
import { PRODUCT_FEATURES } from "../../src/product/index.ts";
import { utf8Encode } from "../../src/host/index.ts";
import { exportCommand, storageOf } from "../commands/export.ts";
import { listCommand, showCommand, verifyCommand } from "../commands/storage-command-set.ts";
import { createNodeHost } from "../node-host.ts";
import { snapshot } from "./fixture.ts";
import { runCliIn } from "../cli-capture.ts";

function tryMount(dir: string, options: string): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const mounted: string[] = [];
afterEach(() => {
  for (const dir of mounted.splice(0)) {
    try {
      execFileSync("umount", [dir], { stdio: "ignore" });
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

const probe = mkdtempSync(join(tmpdir(), "stint-mount-probe-"));
const canMount = tryMount(probe, "size=1m");
if (canMount) execFileSync("umount", [probe]);
rmSync(probe, { recursive: true, force: true });

function cli(dataDir: string, ...argv: string[]) {
  return runCliIn(dataDir, [listCommand, showCommand, verifyCommand, exportCommand], argv);
}

/** `stint export` of the session, as JSON into a writable folder elsewhere and as a report on stdout. */
async function expectExports(dataDir: string, id: string): Promise<void> {
  const elsewhere = mkdtempSync(join(tmpdir(), "stint-export-elsewhere-"));
  try {
    const json = await cli(dataDir, "export", id, "--format", "json", "--out", join(elsewhere, "session.json"));
    expect(json.code, json.err).toBe(0);
    expect((JSON.parse(readFileSync(join(elsewhere, "session.json"), "utf8")) as { screenshots: unknown[] }).screenshots).toHaveLength(3);
    const report = await cli(dataDir, "export", id);
    expect(report.code, report.err).toBe(0);
    expect(report.out).toContain("Cut off");
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
}

/** A data folder holding one session that was cut off while recording (opening would like to mark it). */
async function seed(dataDir: string): Promise<string> {
  const engine = await createEngine(createNodeHost({ dataDir, env: {} }), PRODUCT_FEATURES, { background: false });
  const storage = storageOf(engine);
  const id = engine.context.host.crypto.randomUUID();
  await storage.sessions.saveMetadata({ schemaVersion: 2, id, name: "Cut off", status: "active", startedAt: 1_700_000_000_000, activeDurationMs: 0 });
  for (let n = 0; n < 3; n++) {
    const attachment = await storage.attachments.saveAttachment(utf8Encode(`shot ${n}`), { type: "screenshot", mimeType: "image/png" }, { sessionId: id });
    await storage.sessions.appendScreenshot(id, { sequenceNumber: n, capturedAt: 1_700_000_000_000 + n * 5000, sessionTimeMs: n * 5000, attachmentId: attachment.id, width: 10, height: 10 });
  }
  await engine.stop();
  return id;
}

describe.skipIf(!canMount)("a data folder that cannot be written", () => {
  it("lists, shows, exports and verifies a read-only folder, writing nothing", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "stint-readonly-"));
    expect(tryMount(dataDir, "size=16m")).toBe(true);
    mounted.push(dataDir);
    const id = await seed(dataDir);
    execFileSync("mount", ["-o", "remount,ro", dataDir]);
    expect(() => writeFileSync(join(dataDir, "probe"), "x")).toThrow(/EROFS/); // the fault is real
    const before = snapshot(dataDir);
    const list = await cli(dataDir, "list");
    expect(list.code, list.err).toBe(0);
    expect(list.out).toContain("Cut off");
    const show = await cli(dataDir, "show", id);
    expect(show.code, show.err).toBe(0);
    await expectExports(dataDir, id);
    const verify = await cli(dataDir, "verify", "--no-blobs");
    expect(verify.err).toBe("");
    expect(snapshot(dataDir)).toEqual(before);
  });

  it("lists, shows and exports on a full disk", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "stint-full-"));
    expect(tryMount(dataDir, "size=4m")).toBe(true);
    mounted.push(dataDir);
    const id = await seed(dataDir);
    // Fill every last block.
    try {
      for (let n = 0; ; n++) writeFileSync(join(dataDir, `filler-${n}`), Buffer.alloc(256 * 1024));
    } catch (error) {
      expect((error as { code?: string }).code).toBe("ENOSPC"); // the fault is real
    }
    try {
      for (let n = 0; ; n++) writeFileSync(join(dataDir, `crumb-${n}`), Buffer.alloc(1024));
    } catch {
      // full to the last kilobyte
    }
    const list = await cli(dataDir, "list");
    expect(list.code, list.err).toBe(0);
    expect(list.out).toContain("Cut off");
    const show = await cli(dataDir, "show", id);
    expect(show.code, show.err).toBe(0);
    await expectExports(dataDir, id);
  });
});
