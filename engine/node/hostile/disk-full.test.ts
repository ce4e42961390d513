/**
 * A full disk: `delete` and `gc` must still free space (the journal has room
 * reserved for them), and nothing another session holds may be lost.
 * Runs on a small tmpfs the test mounts; skipped where mounting is refused
 * (the fault-injecting file layer covers the same path in storage's tests).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine/index.ts";
import { PRODUCT_FEATURES } from "../../src/product/index.ts";
import { storageOf } from "../commands/export.ts";
import { deleteCommand, gcCommand, listCommand, showCommand, verifyCommand } from "../commands/storage-command-set.ts";
import { createNodeHost } from "../node-host.ts";
import { runCliIn } from "../cli-capture.ts";
import { losses, snapshot } from "./fixture.ts";

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

const cli = (dataDir: string, ...argv: string[]) => runCliIn(dataDir, [deleteCommand, gcCommand, listCommand, showCommand, verifyCommand], argv);

/** Two finished sessions, each with screenshots big enough that freeing one is measurable. */
async function seed(dataDir: string): Promise<{ keep: string; drop: string; blobs: Map<string, string[]> }> {
  const engine = await createEngine(createNodeHost({ dataDir, env: {} }), PRODUCT_FEATURES, { background: false });
  const storage = storageOf(engine);
  const blobs = new Map<string, string[]>();
  for (const name of ["Keep", "Drop"]) {
    const id = engine.context.host.crypto.randomUUID();
    blobs.set(id, []);
    await storage.sessions.saveMetadata({ schemaVersion: 2, id, name, status: "completed", startedAt: 1_700_000_000_000, endedAt: 1_700_000_100_000, activeDurationMs: 100_000 });
    for (let n = 0; n < 4; n++) {
      const bytes = new Uint8Array(256 * 1024).fill(n + 1);
      bytes.set(new TextEncoder().encode(`${name} shot ${n}`));
      const attachment = await storage.attachments.saveAttachment(bytes, { type: "screenshot", mimeType: "image/png" }, { sessionId: id });
      await storage.sessions.appendScreenshot(id, { sequenceNumber: n, capturedAt: 1_700_000_000_000 + n * 5000, sessionTimeMs: n * 5000, attachmentId: attachment.id, width: 10, height: 10 });
      blobs.get(id)!.push(attachment.id);
    }
  }
  await engine.stop();
  const [keep, drop] = [...blobs.keys()] as [string, string];
  return { keep, drop, blobs };
}

/** The reserve slots by inode: a slot given up and refilled comes back as a new file. */
const reserveSlots = (dataDir: string) =>
  readdirSync(join(dataDir, "journal"))
    .filter((name) => name.startsWith("reserve-"))
    .map((name) => `${name}:${statSync(join(dataDir, "journal", name)).ino}`);

/** Writes filler until the file system refuses: the disk is full to the last block. */
function fill(dataDir: string): void {
  let refused = 0;
  for (const [size, prefix] of [[256 * 1024, "filler"], [4096, "crumb"], [1, "dust"]] as const) {
    try {
      for (let n = 0; ; n++) writeFileSync(join(dataDir, `${prefix}-${n}`), Buffer.alloc(size, 1));
    } catch (error) {
      expect((error as { code?: string }).code).toBe("ENOSPC"); // the fault is real
      refused++;
    }
  }
  expect(refused).toBe(3);
}

describe.skipIf(!canMount)("a full disk", () => {
  it("deletes a session and collects its attachments, losing nothing the other session holds", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "stint-full-delete-"));
    expect(tryMount(dataDir, "size=4m")).toBe(true);
    mounted.push(dataDir);
    const { keep, drop, blobs } = await seed(dataDir);
    const slots = reserveSlots(dataDir);
    expect(slots).toHaveLength(4);
    fill(dataDir);
    const before = snapshot(dataDir);
    const freeBefore = statfsSync(dataDir).bavail;

    const deleted = await cli(dataDir, "delete", drop);
    expect(deleted.err).toBe("");
    expect(deleted.code).toBe(0);
    expect(reserveSlots(dataDir)).not.toEqual(slots); // the delete needed the reserved room
    const collected = await cli(dataDir, "gc", "--older-than", "0s", "--json");
    expect(collected.err).toBe("");
    expect(collected.code).toBe(0);
    expect(collected.last()).toMatchObject({ removed: 4 });
    expect(statfsSync(dataDir).bavail).toBeGreaterThan(freeBefore);

    const list = await cli(dataDir, "list", "--json");
    expect(list.code, list.err).toBe(0);
    expect(list.out).toContain(keep);
    expect(list.out).not.toContain(drop);
    const show = await cli(dataDir, "show", keep);
    expect(show.code, show.err).toBe(0);
    expect(show.out).toContain("Keep");
    const verify = await cli(dataDir, "verify", "--json");
    expect(verify.code, verify.out + verify.err).toBe(0);
    // Only the deleted session's own records and blobs are gone; the list index and attachment records may be rewritten.
    const droppedBlobs = new Set(blobs.get(drop)!);
    const ownedByDrop = (line: string) => line.includes(drop) || [...droppedBlobs].some((id) => line.includes(id));
    const rewritable = (name: string) => name === "sessions/metadata/index.json" || name.startsWith("attachments/metadata/") || name.startsWith("journal/");
    expect(losses(before, snapshot(dataDir), rewritable).filter((line) => !ownedByDrop(line) && !line.startsWith("journal/"))).toEqual([]);
    for (const id of blobs.get(keep)!) expect(existsSync(join(dataDir, "attachments", "blobs", `${id}.dat`)), id).toBe(true);
    for (const id of droppedBlobs) expect(existsSync(join(dataDir, "attachments", "blobs", `${id}.dat`)), id).toBe(false);
  });
});
