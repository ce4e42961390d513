/**
 * Large transfers: an import of one session with a thousand screenshots
 * shows progress that advances with every batch (it sat at 0% until the whole
 * session was in), keeps its kill-safety bookkeeping in lists of bounded size
 * (one list that grew with every batch made the import quadratic), and brings
 * every screenshot over byte for byte; an export of thousands of screenshots
 * is written a page at a time with progress, never holding the session whole.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine/index.ts";
import { encodePng } from "../../src/image/index.ts";
import { PRODUCT_FEATURES } from "../../src/product/index.ts";
import { importSessions, PENDING_SEGMENT } from "../../src/storage/index.ts";
import { runCliIn } from "../cli-capture.ts";
import { SESSION_SCHEMA_VERSION } from "../../src/domain/index.ts";
import { buildFullExport, exportCommand, storageOf } from "../commands/export.ts";
import { EXPORT_PAGE, writeFullExport } from "../commands/export-stream.ts";
import { importCommand } from "../commands/import.ts";
import { createNodeHost } from "../node-host.ts";
import { detectSource } from "../taskerino/index.ts";
import { changes, createGround, losses, sha256Hex, snapshot } from "./fixture.ts";

const T0 = Date.UTC(2024, 2, 1, 9);

/** A distinct 2×2 PNG for each n (its first pixel spells n). */
function tinyPng(n: number): Uint8Array {
  const rgba = new Uint8Array(16).fill(200);
  rgba[0] = n >> 8;
  rgba[1] = n & 0xff;
  return encodePng({ width: 2, height: 2, data: rgba });
}

/** The previous app's per-session export of `count` screenshots, each with its image inline. */
function writeBigExport(path: string, count: number): Uint8Array[] {
  const images = Array.from({ length: count }, (_, n) => tinyPng(n));
  const screenshots = images.map((bytes, n) => ({
    id: `shot-${n}`,
    timestamp: new Date(T0 + n * 1000).toISOString(),
    attachmentId: `attachment-${n}`,
    data: `data:image/png;base64,${Buffer.from(bytes).toString("base64")}`,
  }));
  const session = { id: "big-session", name: "A long day", status: "completed", startTime: new Date(T0).toISOString(), endTime: new Date(T0 + count * 1000).toISOString(), screenshots };
  writeFileSync(path, JSON.stringify({ session, exportedAt: new Date(T0 + count * 1000).toISOString(), version: 1 }));
  return images;
}

async function withEngine<T>(dataDir: string, body: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await createEngine(createNodeHost({ dataDir, env: {} }), PRODUCT_FEATURES);
  try {
    return await body(engine);
  } finally {
    await engine.stop();
  }
}

/** Every screenshot of the session is the image the export held for it, in order. */
async function expectRoundTrip(dataDir: string, sessionId: string, images: readonly Uint8Array[]): Promise<void> {
  await withEngine(dataDir, async (engine) => {
    const storage = storageOf(engine);
    const shots = await storage.sessions.getScreenshots(sessionId);
    expect(shots).toHaveLength(images.length);
    for (const [n, shot] of shots.entries()) {
      expect(shot.sourceId).toBe(`shot-${n}`);
      expect(Buffer.from(await storage.attachments.loadAttachment(shot.attachmentId)).equals(Buffer.from(images[n]!)), `screenshot ${n}`).toBe(true);
    }
    expect(await storage.store.list("imports/pending/")).toEqual([]);
    expect(await storage.store.list("imports/pending-blobs/")).toEqual([]);
  });
}

describe("a large import", () => {
  const COUNT = 1_000;

  it("stint import --taskerino of a 1,000-screenshot session: progress advances batch by batch to 100%, every image arrives, nothing stored is lost", async () => {
    const ground = createGround("large-import");
    try {
      // A session already here, whose bytes must all survive.
      const earlier = join(ground.root, "earlier");
      mkdirSync(earlier);
      writeFileSync(join(earlier, "shot-1.png"), tinyPng(60_000));
      expect((await runCliIn(ground.dataDir, [importCommand], ["import", earlier])).code).toBe(0);
      const before = snapshot(ground.dataDir);
      const outsideBefore = snapshot(ground.outside);

      const file = join(ground.root, "big-export.json");
      const images = writeBigExport(file, COUNT);
      const run = await runCliIn(ground.dataDir, [importCommand], ["import", "--taskerino", file, "--json"]);
      expect(run.code, run.err).toBe(0);
      const lines = run.out.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
      const percents = lines.flatMap((line) => (line.progress === undefined ? [] : [(line.progress as { percent: number }).percent]));
      // From the start to the end, rising with every report: never stuck, never back.
      expect(percents[0]).toBe(0);
      expect(percents.at(-1)).toBe(100);
      for (let n = 1; n < percents.length; n++) expect(percents[n], `report ${n}: ${percents.join(",")}`).toBeGreaterThan(percents[n - 1]!);
      // Reports come while the session is written, not only around it.
      expect(percents.filter((p) => p > 0 && p < 100).length).toBeGreaterThanOrEqual(10);
      const result = lines.at(-1) as { sessions: { outcome: string; sessionId: string; screenshots: number }[] };
      expect(result.sessions).toHaveLength(1);
      expect(result.sessions[0]).toMatchObject({ outcome: "imported", screenshots: COUNT });

      // Checked before the engine opens again: opening it starts the earlier session's local enrichment, which rewrites its records.
      expect(losses(before, snapshot(ground.dataDir), (name) => name === "sessions/metadata/index.json")).toEqual([]);
      expect(changes(outsideBefore, snapshot(ground.outside))).toEqual([]);
      await expectRoundTrip(ground.dataDir, result.sessions[0]!.sessionId, images);
    } finally {
      ground.cleanup();
    }
  }, 180_000);

  it("names every blob in a committed pending list before writing it, in lists that never outgrow PENDING_SEGMENT ids", async () => {
    const ground = createGround("large-import-lists");
    try {
      const count = PENDING_SEGMENT * 2 + PENDING_SEGMENT / 2;
      const file = join(ground.root, "big-export.json");
      const images = writeBigExport(file, count);
      let largest = 0;
      let blobsWritten = 0;
      const unnamed: string[] = [];
      const sessionId = await withEngine(ground.dataDir, async (engine) => {
        const storage = storageOf(engine);
        // Ids in pending records or lists whose commit has completed.
        const named = new Set<string>();
        const noteList = (key: string, value: unknown, into: string[]) => {
          if (!key.startsWith("imports/pending")) return;
          const blobs = (value as { blobs?: string[] }).blobs ?? [];
          largest = Math.max(largest, blobs.length);
          into.push(...blobs);
        };
        const store = new Proxy(storage.store, {
          get(target, name) {
            if (name === "putJson") {
              return async (key: string, value: unknown, options?: never) => {
                const ids: string[] = [];
                noteList(key, value, ids);
                await target.putJson(key, value, options);
                for (const id of ids) named.add(id);
              };
            }
            if (name === "transaction") {
              return async (body: (tx: Parameters<Parameters<typeof target.transaction>[0]>[0]) => Promise<unknown>, options?: never) => {
                const ids: string[] = [];
                const result = await target.transaction(async (tx) => body(new Proxy(tx, { get: (t, n) => (n === "putJson" ? (key: string, value: unknown) => (noteList(key, value, ids), t.putJson(key, value)) : Reflect.get(t, n).bind(t)) })), options);
                for (const id of ids) named.add(id);
                return result;
              };
            }
            const value = Reflect.get(target, name);
            return typeof value === "function" ? value.bind(target) : value;
          },
        });
        const attachments = new Proxy(storage.attachments, {
          get(target, name) {
            if (name === "saveAttachment") {
              return async (bytes: Uint8Array, ...rest: never[]) => {
                const id = sha256Hex(bytes);
                blobsWritten++;
                if (!named.has(id)) unnamed.push(id);
                return (target.saveAttachment as (...args: unknown[]) => unknown)(bytes, ...rest);
              };
            }
            const value = Reflect.get(target, name);
            return typeof value === "function" ? value.bind(target) : value;
          },
        });
        const source = detectSource(file, undefined);
        const [report] = await importSessions({ storage: { store, sessions: storage.sessions, attachments }, host: engine.context.host, records: source.records() });
        return report!.sessionId!;
      });
      expect(blobsWritten).toBe(count);
      expect(unnamed).toEqual([]);
      expect(largest).toBeGreaterThan(0);
      expect(largest).toBeLessThanOrEqual(PENDING_SEGMENT);
      await expectRoundTrip(ground.dataDir, sessionId, images);
    } finally {
      ground.cleanup();
    }
  }, 180_000);
});

describe("a large export", () => {
  const COUNT = 4_500;
  const SESSION = "5e551011-0000-4000-8000-00000000e4b0";

  /** A finished session of COUNT screenshots, its enrichment done, so nothing rewrites it while the test reads. */
  async function bigSession(dataDir: string): Promise<void> {
    await withEngine(dataDir, async (engine) => {
      const storage = storageOf(engine);
      await storage.sessions.saveMetadata({
        schemaVersion: SESSION_SCHEMA_VERSION,
        id: SESSION,
        name: "A long day",
        status: "completed",
        startedAt: T0,
        endedAt: T0 + COUNT * 1000,
        activeDurationMs: COUNT * 1000,
        recordingConfig: { screenshots: { enabled: true, intervalMs: 1000 }, audio: { microphone: false, systemAudio: false }, video: { enabled: false } },
        tags: [],
        enrichmentStatus: { status: "completed", stages: {}, totalCost: 0 },
      });
      const shots = await Promise.all(Array.from({ length: 10 }, (_, n) => storage.attachments.saveAttachment(tinyPng(n), { type: "screenshot", mimeType: "image/png", width: 2, height: 2 }, { sessionId: SESSION })));
      for (let start = 0; start < COUNT; start += 250) {
        await Promise.all(
          Array.from({ length: Math.min(250, COUNT - start) }, (_, k) => {
            const n = start + k;
            return storage.sessions.appendScreenshot(SESSION, { sequenceNumber: n, capturedAt: T0 + n * 1000, sessionTimeMs: n * 1000, attachmentId: shots[n % 10]!.id, width: 2, height: 2, isDuplicate: false });
          }),
        );
      }
    });
  }

  it("stint export --format json --out of a 4,500-screenshot session: written a page at a time with progress from 0 to 100%, the same JSON as the whole export, nothing stored touched", async () => {
    const ground = createGround("large-export");
    try {
      await bigSession(ground.dataDir);
      const before = snapshot(ground.dataDir);
      const outsideBefore = snapshot(ground.outside);
      const target = join(ground.outside, "Documents", "long-day.json");
      const run = await runCliIn(ground.dataDir, [exportCommand], ["export", SESSION, "--format", "json", "--out", target, "--json"]);
      expect(run.code, run.err).toBe(0);
      const lines = run.out.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
      const percents = lines.flatMap((line) => (line.progress === undefined ? [] : [(line.progress as { percent: number }).percent]));
      expect(percents[0]).toBe(0);
      expect(percents.at(-1)).toBe(100);
      for (let n = 1; n < percents.length; n++) expect(percents[n], percents.join(",")).toBeGreaterThan(percents[n - 1]!);
      expect(percents.length).toBe(1 + Math.ceil(COUNT / EXPORT_PAGE));
      const text = readFileSync(target, "utf8");
      expect(lines.at(-1)).toMatchObject({ sessionId: SESSION, out: target, bytes: Buffer.byteLength(text) });
      expect(readdirSync(dirname(target)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
      // The export only reads: the data folder keeps every byte; outside, only the file asked for appeared.
      expect(losses(before, snapshot(ground.dataDir))).toEqual([]);
      expect(changes(outsideBefore, snapshot(ground.outside))).toEqual(["Documents/long-day.json: added"]);

      const exported = JSON.parse(text) as { exportedAt: string; screenshots: { sequenceNumber: number }[] };
      expect(exported.screenshots.map((s) => s.sequenceNumber)).toEqual(Array.from({ length: COUNT }, (_, n) => n));
      await withEngine(ground.dataDir, async (engine) => {
        const storage = storageOf(engine);
        // Byte for byte what the whole-session export gives for the same instant.
        const whole = await buildFullExport(storage, SESSION, Date.parse(exported.exportedAt));
        expect(text === `${JSON.stringify(whole, null, 2)}\n`).toBe(true);

        // Memory follows a page: the session is never read whole, and no read spans more than a page.
        let largestRead = 0;
        const whole_reads: string[] = [];
        const sessions = new Proxy(storage.sessions, {
          get(target, name) {
            const value = Reflect.get(target, name);
            if (typeof value !== "function") return value;
            return (...args: unknown[]) => {
              if (name === "getFullSession" || name === "getScreenshots" || name === "getAudioSegments") whole_reads.push(String(name));
              const result = (value as (...a: unknown[]) => unknown).apply(target, args);
              if (name === "getScreenshotsPage") void (result as Promise<{ items: unknown[] }>).then((page) => (largestRead = Math.max(largestRead, page.items.length)));
              return result;
            };
          },
        });
        const second = join(ground.root, "second.json");
        const { items } = await writeFullExport({ ...storage, sessions } as typeof storage, SESSION, Date.parse(exported.exportedAt), second);
        expect(items).toBe(COUNT);
        expect(whole_reads).toEqual([]);
        expect(largestRead).toBe(EXPORT_PAGE);
        expect(readFileSync(second, "utf8") === text).toBe(true);
      });
    } finally {
      ground.cleanup();
    }
  }, 180_000);
});
