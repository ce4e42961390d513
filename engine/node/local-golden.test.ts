/**
 * The golden local review: a simulated session whose screens show known
 * activities (engine/src/simulated-recorder/scenes.ts), recorded and then
 * enriched with no key, on-device OCR through tesseract. The chapters must
 * be named after those activities and every evidence link must resolve.
 * Speech: the Node host offers none (pocketsphinx misheard 95% of the
 * simulated voice's words), so the review says no speech was transcribed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createEngine } from "../src/engine/index.ts";
import { ACTIVITIES } from "../src/simulated-recorder/index.ts";
import { createStorageFeature, type StorageFeature } from "../src/storage/index.ts";
import { runCli } from "./cli.ts";
import { enrichCommand } from "./commands/enrich.ts";
import { recordCommand } from "./commands/record.ts";
import { createNodeHost } from "./node-host.ts";
import { tesseractAvailable } from "./vision-tesseract.ts";
import { captureIo as io } from "./cli-capture.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));


/** The words of a window title that name the activity ("auth.ts", "Sprint planning", …). */
const subjects = ACTIVITIES.map((a) => a.windowTitle.split(" - ")[0]!.toLowerCase());

describe("the local review of a simulated session, read with OCR", () => {
  it("names chapters after what was on screen, finds the screen's tasks, and every evidence link resolves", async () => {
    expect(tesseractAvailable(), "tesseract-ocr with its English model (Scripts/setup-system.sh)").toBe(true);
    const dataDir = mkdtempSync(join(tmpdir(), "stint-golden-"));
    dirs.push(dataDir);
    const record = io();
    expect(await runCli(["record", "--name", "Golden", "--duration", "5m", "--screenshot-interval", "10s", "--audio-segment", "30s", "--speed", "max", "--json", "--data-dir", dataDir], record.io, [recordCommand]), record.err()).toBe(0);
    const { sessionId } = JSON.parse(record.out().trim().split("\n").at(-1)!) as { sessionId: string };
    const enrich = io();
    expect(await runCli(["enrich", sessionId, "--json", "--data-dir", dataDir], enrich.io, [enrichCommand]), enrich.err()).toBe(0);

    const engine = await createEngine(createNodeHost({ dataDir, env: {} }), [createStorageFeature()]);
    try {
      const storage = engine.context.features.get("storage") as StorageFeature;
      const [summary, shots, audio] = await Promise.all([storage.sessions.getSummary(sessionId), storage.sessions.getScreenshots(sessionId), storage.sessions.getAudioSegments(sessionId)]);
      expect(summary).toBeDefined();
      const titles = summary!.chapters.map((c) => c.title);
      for (const title of titles) expect(title).not.toMatch(/^Part \d|^$/);
      const named = subjects.filter((subject) => titles.some((title) => title.toLowerCase().includes(subject)));
      // OCR may misread a title now and then; most activities must be named.
      expect(named.length, `chapter titles: ${JSON.stringify(titles)}`).toBeGreaterThanOrEqual(4);
      expect(titles.some((t) => /^Editing auth\.ts in VS Code$/.test(t)), JSON.stringify(titles)).toBe(true);
      expect(titles.some((t) => /^Call: Sprint planning$/.test(t)), JSON.stringify(titles)).toBe(true);

      // The summary's count is the header's, and it says what it could not do.
      expect(summary!.summary).toContain(`${shots.length} screenshots`);
      expect(summary!.summary).toContain("No speech transcribed.");
      expect(summary!.summary).toContain("no language model was used");
      expect(JSON.stringify(summary)).not.toMatch(/sk-test-/);
      expect(summary!.tasks.map((t) => t.title.toLowerCase()).join("\n")).toContain("follow up with the design team");

      // Every screenshot says something after enrichment; duplicates say they are duplicates.
      expect(shots.every((s) => s.analysis !== undefined)).toBe(true);
      expect(shots.filter((s) => s.isDuplicate).every((s) => s.analysis!.summary === "Same as previous screenshot")).toBe(true);
      expect(shots.some((s) => !s.isDuplicate && /verifySession|Agenda|Invoice|limiter/.test(s.analysis!.summary))).toBe(true);
      expect(audio.every((a) => a.transcript === undefined || a.transcript.text === "")).toBe(true);

      const evidence = [...summary!.chapters, ...summary!.points, ...summary!.tasks, ...summary!.notes].flatMap((item) => item.evidence);
      expect(evidence.length).toBeGreaterThan(0);
      for (const e of evidence) {
        if (e.kind === "screenshot") expect(shots.some((s) => String(s.sequenceNumber) === e.ref && s.sessionTimeMs === e.tStart), JSON.stringify(e)).toBe(true);
        else if (e.kind === "audio") expect(audio.some((a) => String(a.sequenceNumber) === e.ref), JSON.stringify(e)).toBe(true);
        else expect(e.kind).toBe("marker");
      }
    } finally {
      await engine.stop();
    }
  }, 180_000);
});
