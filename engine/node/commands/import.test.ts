import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine/index.ts";
import { PRODUCT_FEATURES } from "../../src/product/index.ts";
import { createMemoryHost } from "../../src/host/index.ts";
import { encodePng } from "../../src/image/index.ts";
import { buildWavHeader } from "../../src/media/index.ts";
import { createFaultFiles } from "../../src/testing/fault-files.ts";
import { parseArgs } from "../args.ts";
import { runCli } from "../cli.ts";
import { createNodeHost } from "../node-host.ts";
import { createOutput } from "../output.ts";
import type { CommandContext } from "./command.ts";
import { exportCommand, storageOf } from "./export.ts";
import { readJpegSize } from "./import-media.ts";
import { importCommand, markDuplicates, removeUnfinishedImports } from "./import.ts";
import { listCommand } from "./storage-command-set.ts";
import { captureIo as io } from "../cli-capture.ts";

const COMMANDS = [importCommand, exportCommand, listCommand];


const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A PNG whose left-to-right gradient direction (and so its dHash) depends on `flip`. */
function png(width: number, height: number, flip: boolean, tint = 0): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = Math.round(((flip ? width - 1 - x : x) / (width - 1)) * 255);
      rgba.set([v, v, Math.min(255, v + tint), 255], (y * width + x) * 4);
    }
  }
  return encodePng({ width, height, data: rgba });
}

/** A minimal baseline JPEG: SOI, an APP0 segment, SOF0 with the size, a scan header, a few scan bytes and EOI. */
function jpegHeader(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  const sos = [0xff, 0xda, 0x00, 0x0c, 0x03, 1, 0x00, 2, 0x11, 3, 0x11, 0x00, 0x3f, 0x00];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof0, ...sos, 0x12, 0x34, 0x56, 0xff, 0xd9]);
}

function wav(seconds: number, sampleRate: number, channels: number): Uint8Array {
  const data = seconds * sampleRate * channels * 2;
  const bytes = new Uint8Array(44 + data);
  bytes.set(buildWavHeader({ audioFormat: 1, channels, sampleRate, bitsPerSample: 16 }, data), 0);
  for (let i = 44; i < bytes.length; i += 2) bytes[i] = (i * 7) % 251;
  return bytes;
}

function mediaFolder(): string {
  const folder = tempDir("stint-import-src-");
  writeFileSync(join(folder, "shot-1.png"), png(64, 40, false));
  writeFileSync(join(folder, "shot-2.png"), png(64, 40, false, 3)); // near-identical: a duplicate of shot-1
  writeFileSync(join(folder, "shot-10.png"), png(64, 40, true)); // ordered after shot-2 by name, numbers as numbers
  writeFileSync(join(folder, "photo.jpg"), jpegHeader(1280, 720));
  writeFileSync(join(folder, "a-segment.wav"), wav(2, 16_000, 1));
  writeFileSync(join(folder, "b-segment.wav"), wav(1, 44_100, 2));
  writeFileSync(join(folder, "notes.txt"), "not media");
  return folder;
}

async function readSession(dataDir: string, sessionId: string) {
  const run = io();
  expect(await runCli(["export", sessionId, "--format", "json", "--json", "--data-dir", dataDir], run.io, COMMANDS), run.err()).toBe(0);
  return JSON.parse(run.out()) as Record<string, any>;
}

describe("stint import <folder>", () => {
  it("makes a completed session with real sizes, dedup as recording does, and WAV formats from the headers", async () => {
    const dataDir = tempDir("stint-import-");
    const run = io();
    expect(await runCli(["import", mediaFolder(), "--name", "Imported review", "--interval", "10s", "--json", "--data-dir", dataDir], run.io, COMMANDS), run.err()).toBe(0);
    const lines = run.out().trim().split("\n");
    expect(lines.some((line) => line.startsWith('{"progress":'))).toBe(true);
    const result = JSON.parse(lines.at(-1)!) as { sessionId: string; screenshots: number; audioSegments: number };
    expect(result).toEqual({ sessionId: expect.any(String), screenshots: 4, audioSegments: 2 });
    const full = await readSession(dataDir, result.sessionId);
    expect(full.metadata).toMatchObject({ name: "Imported review", status: "completed", activeDurationMs: 40_000, tags: ["imported"] });
    // A new process lists from the index file: it has the counts the import committed with its items.
    const listed = io();
    expect(await runCli(["list", "--json", "--data-dir", dataDir], listed.io, COMMANDS), listed.err()).toBe(0);
    const entry = (JSON.parse(listed.out()) as { sessions: { id: string; screenshots: { itemCount: number }; audio: { itemCount: number }; sizeBytes: number }[] }).sessions.find((s) => s.id === result.sessionId);
    expect(entry).toMatchObject({ screenshots: { itemCount: 4 }, audio: { itemCount: 2 } });
    expect(entry!.sizeBytes).toBe(full.metadata.sizeBytes);
    expect(full.screenshots.map((s: any) => [s.sourceId, s.width, s.height, s.sessionTimeMs, s.isDuplicate, s.duplicateOf ?? null])).toEqual([
      ["photo.jpg", 1280, 720, 0, false, null],
      ["shot-1.png", 64, 40, 10_000, false, null],
      ["shot-2.png", 64, 40, 20_000, true, 1],
      ["shot-10.png", 64, 40, 30_000, false, null],
    ]);
    expect(full.screenshots[1].perceptualHash).toMatch(/^[0-9a-f]{16}$/);
    expect(full.audioSegments.map((a: any) => [a.durationMs, a.sampleRate, a.channels, a.startSessionMs])).toEqual([
      [2000, 16_000, 1, 0],
      [1000, 44_100, 2, 2000],
    ]);
  }, 60_000);

  it("orders by file time with --order time and places audio by when its file was finished", async () => {
    const dataDir = tempDir("stint-import-");
    const folder = tempDir("stint-import-src-");
    const t0 = 1_750_000_000; // seconds
    const files: [string, Uint8Array, number][] = [
      ["z-first.png", png(32, 20, false), t0],
      ["a-second.png", png(32, 20, true), t0 + 7],
      ["m.wav", wav(3, 8000, 1), t0 + 3],
    ];
    for (const [name, bytes, time] of files) {
      writeFileSync(join(folder, name), bytes);
      utimesSync(join(folder, name), time, time);
    }
    const run = io();
    expect(await runCli(["import", folder, "--order", "time", "--json", "--data-dir", dataDir], run.io, COMMANDS), run.err()).toBe(0);
    const { sessionId } = JSON.parse(run.out().trim().split("\n").at(-1)!) as { sessionId: string };
    const full = await readSession(dataDir, sessionId);
    expect(full.metadata.startedAt).toBe(t0 * 1000);
    expect(full.screenshots.map((s: any) => [s.sourceId, s.sessionTimeMs])).toEqual([
      ["z-first.png", 0],
      ["a-second.png", 7000],
    ]);
    expect(full.audioSegments[0]).toMatchObject({ startSessionMs: 0, durationMs: 3000 });
  }, 60_000);

  it("fails with one clear line and stores nothing for a missing folder, no media, or a corrupt file", async () => {
    const dataDir = tempDir("stint-import-");
    const missing = io();
    expect(await runCli(["import", join(dataDir, "nope"), "--data-dir", dataDir], missing.io, COMMANDS)).toBe(1);
    expect(missing.err()).toMatch(/^stint import: cannot read the folder .*nope \(ENOENT\)\. Check the path\.\n$/);
    const empty = tempDir("stint-import-src-");
    writeFileSync(join(empty, "readme.txt"), "x");
    const none = io();
    expect(await runCli(["import", empty, "--data-dir", dataDir], none.io, COMMANDS)).toBe(1);
    expect(none.err()).toContain("no screenshots (PNG/JPEG) or audio segments (WAV)");
    const corrupt = mediaFolder();
    writeFileSync(join(corrupt, "zz-broken.wav"), "RIFF....WAVEjunk");
    const bad = io();
    expect(await runCli(["import", corrupt, "--data-dir", dataDir], bad.io, COMMANDS)).toBe(1);
    expect(bad.err()).toContain("zz-broken.wav is not a readable WAV file");
    const truncated = mediaFolder();
    writeFileSync(join(truncated, "shot-3.png"), png(16, 16, false).slice(0, 40));
    const cut = io();
    expect(await runCli(["import", truncated, "--data-dir", dataDir], cut.io, COMMANDS)).toBe(1);
    expect(cut.err()).toContain("shot-3.png is not a readable PNG");
    const engine = await createEngine(createNodeHost({ dataDir, env: {} }), PRODUCT_FEATURES);
    try {
      expect((await storageOf(engine).sessions.listMetadata({})).total).toBe(0);
    } finally {
      await engine.stop();
    }
  }, 60_000);

  it("refuses bad flags with a usage error", async () => {
    const dataDir = tempDir("stint-import-");
    const cases: string[][] = [
      ["import", "--data-dir", dataDir],
      ["import", "a", "b", "--data-dir", dataDir],
      ["import", "a", "--order", "size", "--data-dir", dataDir],
      ["import", "a", "--interval", "soon", "--data-dir", dataDir],
      ["import", "a", "--interval", "0s", "--data-dir", dataDir],
      ["import", "a", "--frobnicate", "--data-dir", dataDir],
      ["import", "a", "--taskerino", "x.json", "--data-dir", dataDir],
    ];
    for (const argv of cases) {
      const run = io();
      expect(await runCli(argv, run.io, COMMANDS), argv.join(" ")).toBe(2);
      expect(run.err()).toContain("Usage: stint import");
    }
  }, 60_000);

  it("removes a session whose import never finished before importing again", async () => {
    const dataDir = tempDir("stint-import-");
    const first = io();
    expect(await runCli(["import", mediaFolder(), "--json", "--data-dir", dataDir], first.io, COMMANDS)).toBe(0);
    const { sessionId } = JSON.parse(first.out().trim().split("\n").at(-1)!) as { sessionId: string };
    // What a killed import leaves: the session and its pending record.
    const engine = await createEngine(createNodeHost({ dataDir, env: {} }), PRODUCT_FEATURES);
    await storageOf(engine).store.putJson(`imports/pending/${sessionId}.json`, { sessionId });
    await engine.stop();
    const second = io();
    expect(await runCli(["import", mediaFolder(), "--json", "--data-dir", dataDir], second.io, COMMANDS)).toBe(0);
    expect(second.err()).toContain("Removed 1 session(s) left by an import that did not finish.");
    const gone = io();
    expect(await runCli(["export", sessionId, "--data-dir", dataDir], gone.io, COMMANDS)).toBe(1);
  }, 60_000);

  it("leaves no session behind when the disk fills up part-way (fault-injecting files)", async () => {
    const folder = mediaFolder();
    let hitAtLeastOnce = 0;
    for (const offset of [2, 12, 40, 90]) {
      const files = createFaultFiles();
      const host = createMemoryHost({ time: "real", files });
      const engine = await createEngine(host, PRODUCT_FEATURES);
      try {
        files.plan.io = { at: files.opCount + offset, code: "ENOSPC", persistent: true };
        const stdout = new PassThrough();
        const stderr = new PassThrough();
        const context: CommandContext = {
          args: parseArgs([folder], importCommand.flags),
          json: false,
          verbose: false,
          dataDir: "/",
          out: createOutput({ json: false, stdout, stderr }),
          openEngine: async () => engine,
          env: {},
        };
        const outcome = await importCommand.run(context).then(
          () => "ok",
          (error: unknown) => error,
        );
        if (files.hits.io.length === 0) {
          expect(outcome, `offset ${offset}`).toBe("ok");
          continue;
        }
        hitAtLeastOnce++;
        expect(outcome, `offset ${offset}`).toMatchObject({ code: expect.stringMatching(/disk_full|storage/) });
        // The disk has room again; the next `stint import` opens the store afresh and removes what the failed one left.
        await engine.stop().catch(() => undefined);
        files.plan.io = undefined;
        const reopened = await createEngine(createMemoryHost({ time: "real", files }), PRODUCT_FEATURES);
        try {
          const fresh = storageOf(reopened);
          await removeUnfinishedImports(fresh);
          expect((await fresh.sessions.listMetadata({})).total, `offset ${offset}`).toBe(0);
          const report = await fresh.verify();
          expect(report.problems, `offset ${offset}`).toEqual([]);
        } finally {
          await reopened.stop();
        }
      } finally {
        files.plan.io = undefined;
        await engine.stop().catch(() => undefined);
      }
    }
    expect(hitAtLeastOnce).toBeGreaterThanOrEqual(3);
  }, 60_000);
});

describe("import helpers", () => {
  it("reads JPEG sizes from the frame header and refuses non-JPEG bytes", () => {
    expect(readJpegSize(jpegHeader(1920, 1080))).toEqual({ width: 1920, height: 1080 });
    expect(readJpegSize(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBeUndefined();
    expect(readJpegSize(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2]))).toBeUndefined();
  });

  it("marks duplicates against the last kept screenshot, as the session feature does", () => {
    const a = "0000000000000000";
    const nearA = "0000000000000007"; // 3 bits away
    const b = "ffffffffffffffff";
    expect(markDuplicates([a, nearA, undefined, b, nearA])).toEqual([undefined, 0, undefined, undefined, undefined]);
  });
});
