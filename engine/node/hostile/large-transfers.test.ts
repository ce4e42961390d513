/**
 * Large transfers: an import of one session with a thousand screenshots
 * shows progress that advances with every batch (it sat at 0% until the whole
 * session was in), keeps its kill-safety bookkeeping in lists of bounded size
 * (one list that grew with every batch made the import quadratic), and brings
 * every screenshot over byte for byte.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine/index.ts";
import { encodePng } from "../../src/image/index.ts";
import { PRODUCT_FEATURES } from "../../src/product/index.ts";
import { importSessions, PENDING_SEGMENT } from "../../src/storage/index.ts";
import { runCliIn } from "../cli-capture.ts";
import { storageOf } from "../commands/export.ts";
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
