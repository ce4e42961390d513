import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine/index.ts";
import { PRODUCT_FEATURES } from "../../src/product/index.ts";
import { getImportReport, type SessionImportReport } from "../../src/storage/index.ts";
import { runCli } from "../cli.ts";
import { exportCommand, storageOf } from "../commands/export.ts";
import { importCommand } from "../commands/import.ts";
import { createNodeHost } from "../node-host.ts";
import { hasFfmpeg, sha256Hex, wrap, writeCollection } from "./fixtures.ts";
import { IDS, sessionC, writeDataFolder } from "./scenario.ts";
import { oldChecksum, unwrapText } from "./wrapper.ts";
import { sniff } from "./media.ts";
import { captureIo as io } from "../cli-capture.ts";

const COMMANDS = [importCommand, exportCommand];


const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface ImportJson {
  detected: string;
  format: string;
  sessions: SessionImportReport[];
}

async function importJson(path: string, dataDir: string, expectedCode = 0): Promise<ImportJson> {
  const run = io();
  expect(await runCli(["import", "--taskerino", path, "--json", "--data-dir", dataDir], run.io, COMMANDS), run.err()).toBe(expectedCode);
  return JSON.parse(run.out().trim().split("\n").at(-1)!) as ImportJson;
}

async function withEngine<T>(dataDir: string, body: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await createEngine(createNodeHost({ dataDir, env: {} }), PRODUCT_FEATURES);
  try {
    return await body(engine);
  } finally {
    await engine.stop();
  }
}

const byOld = (result: ImportJson, oldId: string) => result.sessions.find((s) => s.oldId === oldId)!;

describe("the previous app's file wrapper", () => {
  it("unwraps compressed and plain data and verifies the checksum", () => {
    const value = { sessions: ["é", 1] };
    for (const compressed of [true, false]) {
      const unwrapped = unwrapText(wrap(value, compressed));
      expect(unwrapped).toEqual({ value, wrapped: true, compressed, checksum: "verified" });
    }
    const damaged = JSON.parse(wrap(value, false)) as { data: string };
    damaged.data = damaged.data.replace("1", "2");
    expect(unwrapText(JSON.stringify({ ...damaged })).checksum).toBe("mismatch");
    expect(unwrapText(JSON.stringify([1, 2])).checksum).toBe("absent");
    // Known values of the 31·h + c hash (signed 32-bit, base 36).
    expect(oldChecksum("")).toBe("0");
    expect(oldChecksum("a")).toBe((97).toString(36));
    expect(oldChecksum("hello world")).toBe((1794106052).toString(36));
  });

  it("sniffs media by bytes, not names", () => {
    expect(sniff(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe("image/jpeg");
    expect(sniff(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe("image/png");
    expect(sniff(new Uint8Array([...Buffer.from("RIFF"), 0, 0, 0, 0, ...Buffer.from("WAVE")]))).toBe("audio/wav");
    expect(sniff(new Uint8Array([0xff, 0xfb, 0x90, 0x64]))).toBe("audio/mpeg");
    expect(sniff(new Uint8Array([0, 0, 0, 24, ...Buffer.from("ftypisom")]))).toBe("video/mp4");
    expect(sniff(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toBe("unknown");
  });
});

describe("stint import --taskerino (data folder)", () => {
  for (const compressed of [true, false]) {
    it(`imports both layouts ${compressed ? "compressed" : "uncompressed"}, field by field, and a re-import changes nothing`, async () => {
      const root = tempDir("taskerino-data-");
      const fixture = writeDataFolder(root, { compressed, videoDir: tempDir("taskerino-videos-") });
      const dataDir = tempDir("stint-import-");
      const result = await importJson(root, dataDir, 0);
      expect(result.format).toBe("data-folder");
      expect(result.detected).toContain("chunked layout: 2 session(s)");
      expect(result.detected).toContain("db/sessions.json: 2 session(s), 1 not also in the chunked layout");
      expect(result.sessions.map((s) => [s.oldId, s.outcome])).toEqual([
        [IDS.a, "imported"],
        [IDS.b, "imported"],
        [IDS.c, "imported"],
      ]);
      const a = byOld(result, IDS.a);
      expect(a.sessionId).toBe(IDS.a); // a free UUID keeps its id
      expect(a).toMatchObject({ screenshots: 2, audioSegments: hasFfmpeg ? 2 : 0, summary: true, video: true, converted: hasFfmpeg ? 2 : 0 });
      expect(a.mediaMissing).toMatchObject({ screenshots: 1, audio: hasFfmpeg ? 1 : 3, video: 0 });
      expect(a.mediaMissing.reasons.join("\n")).toContain("no file for attachment att-shot-gone");
      expect(a.mediaMissing.reasons.join("\n")).toContain("audio segment seg-3: no media was recorded for it");
      const notImported = Object.fromEntries(a.notImported.map((n) => [n.field, n.count]));
      expect(notImported).toMatchObject({ canvasSpec: 1, "audioInsights.emotionalJourney": 1, "audioInsights.workPatterns": 1, "screenshots.aiAnalysis.confidence": 3, "screenshots.aiAnalysis.suggestedActions": 1, "audioSegments.keyPhrases": 1, "summary.focusAreas": 1, fullTranscription: 1 });
      expect(a.notImported.find((n) => n.field === "audioReviewCompleted")?.reason).toContain("processing state");
      expect(notImported).not.toHaveProperty("contextItems"); // mapped to markers

      await withEngine(dataDir, async (engine) => {
        const storage = storageOf(engine);
        const full = (await storage.sessions.getFullSession(IDS.a))!;
        expect(full.metadata).toMatchObject({
          name: "Billing API",
          description: "Wire the invoices endpoint",
          status: "completed",
          startedAt: Date.parse("2024-03-01T09:00:00.000Z"),
          endedAt: Date.parse("2024-03-01T09:00:59.000Z"),
          activeDurationMs: 59_000, // not the previous app's 0 minutes
          tags: ["billing", "category:Deep Work", "subcategory:API Development", "imported"],
          extractedTaskIds: ["task-1"],
          migratedFrom: { schemaVersion: 1, id: IDS.a },
        });
        expect(full.screenshots.map((s) => [s.sourceId, s.width, s.height, s.sessionTimeMs])).toEqual([
          ["shot-1", 64, 48, 5_000],
          ["shot-2", 32, 24, 25_000],
        ]);
        expect(full.screenshots[0]!.analysis).toEqual({ summary: "Editing invoices.ts", activity: "coding", apps: ["VS Code", "Terminal"], text: "export function invoices()", provider: "taskerino" });
        const shot = await storage.attachments.getAttachment(full.screenshots[0]!.attachmentId);
        expect(shot).toMatchObject({ mimeType: "image/jpeg", width: 64, height: 48 });
        expect(sha256Hex(await storage.attachments.loadAttachment(full.screenshots[0]!.attachmentId))).toBe(sha256Hex(fixture.media.shot1));
        if (hasFfmpeg) {
          expect(full.audioSegments.map((s) => s.transcript?.text)).toEqual(["let us wire the invoices endpoint", "now the tests"]);
          const audio = await storage.attachments.getAttachment(full.audioSegments[0]!.attachmentId);
          expect(audio?.mimeType).toBe("audio/wav");
          expect(full.audioSegments[0]).toMatchObject({ sampleRate: 16_000, channels: 1, startSessionMs: 0 });
          expect(full.audioSegments[0]!.durationMs).toBeGreaterThan(1_900);
          const bytes = await storage.attachments.loadAttachment(full.audioSegments[0]!.attachmentId);
          expect(Buffer.from(bytes.subarray(0, 4)).toString()).toBe("RIFF");
        }
        expect(full.summary).toMatchObject({
          summary: "Wired the invoices endpoint and started its tests.",
          points: [{ text: "Achievement: Endpoint works" }, { text: "Blocker: Waiting on API key" }, { text: "Insight: Tests are slow" }, { text: "Audio: Focused and steady." }],
          tasks: [{ title: "Ship CSV export", description: "Customer asked", priority: "high" }],
          provider: "taskerino",
        });
        expect(full.video?.segments).toHaveLength(1);
        expect(sha256Hex(await storage.attachments.loadAttachment(full.video!.segments[0]!.attachmentId))).toBe(sha256Hex(fixture.media.video));
        const markers = (await storage.store.getJson(`markers/${IDS.a}.json`, { parse: (v: unknown) => v as { note: string; sessionTimeMs: number }[] }))!;
        const notes = markers.map((m) => m.note);
        expect(notes).toEqual(expect.arrayContaining(["Note: Customer asked for CSV export", "Task: Email finance", "Comment: the bug is here", "Flagged in the previous app", "achievement: Endpoint returned data — “it works”", "Screenshot (media missing): Running the test suite", "Audio (media missing):", "spoken while the file was lost"]));
        expect(markers.find((m) => m.note === "Task: Email finance")!.sessionTimeMs).toBe(20_000);
        expect(await getImportReport(storage, IDS.a)).toMatchObject({ oldId: IDS.a, outcome: "imported", screenshots: 2 });

        // The crashed active session: interrupted, ended at its last item.
        const b = (await storage.sessions.getFullSession(byOld(result, IDS.b).sessionId!))!;
        expect(b.metadata).toMatchObject({ status: "interrupted", endedAt: Date.parse("2024-03-01T11:03:00.000Z"), activeDurationMs: 180_000 });
        expect(b.screenshots).toHaveLength(1);
        // Only in db/sessions.json: media from attachments/{id}.dat, the declared PNG type corrected by the bytes.
        const c = (await storage.sessions.getFullSession(IDS.c))!;
        expect(c.metadata).toMatchObject({ name: "Planning call", activeDurationMs: 600_000 });
        expect(await storage.attachments.getAttachment(c.screenshots[0]!.attachmentId)).toMatchObject({ mimeType: "image/jpeg", width: 80, height: 60 });
        expect(c.audioSegments[0]).toMatchObject({ durationMs: 1_000, transcript: { text: "welcome everyone" } });
        expect((await storage.sessions.listMetadata({})).total).toBe(3);
      });

      const again = await importJson(root, dataDir, 0);
      expect(again.sessions.map((s) => s.outcome)).toEqual(["unchanged", "unchanged", "unchanged"]);
      await withEngine(dataDir, async (engine) => {
        expect((await storageOf(engine).sessions.listMetadata({})).total).toBe(3);
      });

      // A newer copy: C renamed, D new. C is replaced, D added, the rest untouched.
      const d = { ...sessionC("Retro"), id: "session-d", screenshots: [] };
      writeCollection(root, "sessions", [sessionC("Planning call (renamed)"), d], compressed);
      const newer = await importJson(root, dataDir, 0);
      expect(newer.sessions.map((s) => [s.oldId, s.outcome])).toEqual([
        [IDS.a, "unchanged"],
        [IDS.b, "unchanged"],
        [IDS.c, "updated"],
        ["session-d", "imported"],
      ]);
      await withEngine(dataDir, async (engine) => {
        const storage = storageOf(engine);
        const list = await storage.sessions.listMetadata({});
        expect(list.total).toBe(4);
        const renamed = list.sessions.filter((s) => s.migratedFrom?.id === IDS.c);
        expect(renamed.map((s) => s.name)).toEqual(["Planning call (renamed)"]);
        expect((await storage.verify()).problems).toEqual([]);
      });
    }, 120_000);
  }
});

describe("stint import --taskerino (files and edge cases)", () => {
  it("detects a backup, a per-session export and a folder of exports", async () => {
    const root = tempDir("taskerino-data-");
    writeDataFolder(root, { compressed: true, videoDir: tempDir("taskerino-videos-") });
    const backups = join(root, "backups");
    const backup = join(backups, "backup-1709300000000.json");
    mkdirSync(backups, { recursive: true });
    writeFileSync(backup, JSON.stringify({ version: 1, timestamp: 1_709_300_000_000, collections: { sessions: [sessionC()], settings: {} } }, null, 2));
    const dataDir = tempDir("stint-import-");
    const fromBackup = await importJson(backup, dataDir, 0);
    expect(fromBackup.format).toBe("backup");
    expect(fromBackup.detected).toContain(`media from ${root}`);
    expect(byOld(fromBackup, IDS.c)).toMatchObject({ outcome: "imported", screenshots: 1, audioSegments: 1 });

    const exports = tempDir("taskerino-exports-");
    const exported = (session: unknown) => JSON.stringify({ session, exportedAt: "2024-03-02T00:00:00.000Z", version: "1.0", application: "Taskerino" }, null, 2);
    writeFileSync(join(exports, "session-planning-call-1709300000000.json"), exported(sessionC()));
    writeFileSync(join(exports, "session-retro-1709300000001.json"), exported({ ...sessionC("Retro"), id: "retro-1" }));
    writeFileSync(join(exports, "notes.txt"), "not an export");
    const single = await importJson(join(exports, "session-retro-1709300000001.json"), dataDir, 0);
    expect(single.format).toBe("session-export");
    // No media in an export: the items stay, with their text, marked.
    expect(byOld(single, "retro-1")).toMatchObject({ outcome: "imported", screenshots: 0, audioSegments: 0, mediaMissing: { screenshots: 1, audio: 1 } });
    // The same sessions from media-less exports: nothing changes, and the media imported from the backup stay.
    const folder = await importJson(exports, dataDir, 0);
    expect(folder.format).toBe("export-folder");
    expect(folder.sessions.map((s) => s.outcome)).toEqual(["unchanged", "unchanged"]);
    // A newer export of C (renamed) replaces it, keeping the media the export does not carry.
    writeFileSync(join(exports, "session-planning-call-1709300000000.json"), exported(sessionC("Planning call v2")));
    const newer = await importJson(exports, dataDir, 0);
    expect(byOld(newer, IDS.c)).toMatchObject({ outcome: "updated", screenshots: 1, audioSegments: 1, mediaMissing: { screenshots: 0, audio: 0 } });
    await withEngine(dataDir, async (engine) => {
      const full = (await storageOf(engine).sessions.getFullSession(byOld(newer, IDS.c).sessionId!))!;
      expect(full.metadata.name).toBe("Planning call v2");
      expect(full.screenshots).toHaveLength(1);
      expect((await storageOf(engine).verify()).problems).toEqual([]);
    });
  }, 120_000);

  it("refuses a damaged sessions file (checksum) with one clear line and imports nothing", async () => {
    const root = tempDir("taskerino-data-");
    writeCollection(root, "sessions", [sessionC()], false);
    const path = join(root, "db", "sessions.json");
    writeFileSync(path, readFileSync(path, "utf8").replace("Planning call", "Planning calm"));
    const dataDir = tempDir("stint-import-");
    const run = io();
    expect(await runCli(["import", "--taskerino", root, "--data-dir", dataDir], run.io, COMMANDS)).toBe(1);
    expect(run.err()).toMatch(/sessions\.json fails its checksum: the file is damaged\. Restore it from the previous app's backups folder/);
    await withEngine(dataDir, async (engine) => expect((await storageOf(engine).sessions.listMetadata({})).total).toBe(0));
  }, 60_000);

  it("never touches a session already here under the old id, even an unreadable one", async () => {
    const root = tempDir("taskerino-data-");
    writeCollection(root, "sessions", [sessionC()], true);
    const dataDir = tempDir("stint-import-");
    const garbage = new Uint8Array([0x7b, 0x0, 0xff, 0x13, 0x37]);
    await withEngine(dataDir, async (engine) => {
      await storageOf(engine).store.put(`sessions/metadata/${IDS.c}.json`, garbage, { priority: "critical" });
    });
    const result = await importJson(root, dataDir, 0);
    const c = byOld(result, IDS.c);
    expect(c.outcome).toBe("imported");
    expect(c.collision).toContain(`a session ${IDS.c} already exists here`);
    expect(c.sessionId).not.toBe(IDS.c);
    await withEngine(dataDir, async (engine) => {
      const storage = storageOf(engine);
      expect(await storage.store.get(`sessions/metadata/${IDS.c}.json`)).toEqual(garbage);
      expect(await storage.store.list(`screenshots/${IDS.c}/`)).toEqual([]);
      expect((await storage.sessions.getFullSession(c.sessionId!))?.metadata).toMatchObject({ name: "Planning call", migratedFrom: { id: IDS.c } });
    });
    // Re-import: matched by the old id, still nothing written under the taken one.
    const again = await importJson(root, dataDir, 0);
    expect(byOld(again, IDS.c)).toMatchObject({ outcome: "unchanged", sessionId: c.sessionId });
  }, 60_000);

  it("skips, with the reason, records that cannot be sessions and keeps going", async () => {
    const root = tempDir("taskerino-data-");
    writeCollection(root, "sessions", [{ id: "no-start", name: "x", screenshots: [] }, { name: "no id" }, sessionC()], true);
    const dataDir = tempDir("stint-import-");
    const result = await importJson(root, dataDir, 1);
    expect(result.sessions.map((s) => [s.oldId, s.outcome])).toEqual([
      ["no-start", "skipped"],
      ["(no id)", "skipped"],
      [IDS.c, "imported"],
    ]);
    expect(result.sessions[0]!.reason).toContain("startTime");
  }, 60_000);
});
