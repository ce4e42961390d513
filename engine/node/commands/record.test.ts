import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../cli.ts";
import { recordCommand } from "./record.ts";
import { captureIo as io } from "../cli-capture.ts";


const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("stint record", () => {
  it("records a simulated session at maximum speed and prints its id as the last JSON line", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "stint-record-"));
    dirs.push(dataDir);
    const run = io();
    const code = await runCli(["record", "--name", "Standup", "--duration", "2m", "--screenshot-interval", "5s", "--audio-segment", "20s", "--speed", "max", "--no-speech", "--json", "--data-dir", dataDir], run.io, [recordCommand]);
    expect(code, run.err()).toBe(0);
    const last = JSON.parse(run.out().trim().split("\n").at(-1)!) as { sessionId: string; status: string };
    expect(last.status).toBe("completed");
    const metadata = JSON.parse(readFileSync(join(dataDir, "sessions", "metadata", `${last.sessionId}.json`), "utf8")) as { name: string; status: string; activeDurationMs: number; integrity: { itemsPerSource: { screenshots: number; audio: number }; duplicates: number } };
    expect(metadata).toMatchObject({ name: "Standup", status: "completed", activeDurationMs: 120_000 });
    expect(metadata.integrity.itemsPerSource.screenshots).toBeGreaterThanOrEqual(24);
    expect(metadata.integrity.itemsPerSource.audio).toBe(6);
    expect(metadata.integrity.duplicates).toBeGreaterThan(0);
    expect(readdirSync(join(dataDir, "attachments", "blobs")).length).toBeGreaterThan(10);
  }, 120_000);

  it("injects faults on request and the health warnings end up with the session", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "stint-record-"));
    dirs.push(dataDir);
    const run = io();
    const code = await runCli(["record", "--duration", "3m", "--screenshot-interval", "2s", "--audio-segment", "10s", "--speed", "max", "--no-speech", "--fault", "silent-mic,stall", "--json", "--data-dir", dataDir], run.io, [recordCommand]);
    expect(code, run.err()).toBe(0);
    expect(run.err()).toContain("digital silence");
    expect(run.err()).toContain("screenshots: no item");
    const last = JSON.parse(run.out().trim().split("\n").at(-1)!) as { sessionId: string };
    const metadata = JSON.parse(readFileSync(join(dataDir, "sessions", "metadata", `${last.sessionId}.json`), "utf8")) as { integrity: { status: string; warnings: string[]; gaps: unknown[] } };
    expect(metadata.integrity.status).toBe("degraded");
    expect(metadata.integrity.warnings.some((w) => w.includes("digital silence"))).toBe(true);
    expect(metadata.integrity.gaps.length).toBe(1);
  }, 120_000);

  it("refuses bad flags with a usage error and an invalid configuration with a failure", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "stint-record-"));
    dirs.push(dataDir);
    const noDuration = io();
    expect(await runCli(["record", "--speed", "max", "--data-dir", dataDir], noDuration.io, [recordCommand])).toBe(2);
    expect(noDuration.err()).toContain("--duration");
    const badSpeed = io();
    expect(await runCli(["record", "--speed", "fast", "--data-dir", dataDir], badSpeed.io, [recordCommand])).toBe(2);
    const tooShort = io();
    expect(await runCli(["record", "--duration", "1m", "--speed", "max", "--audio-segment", "100ms", "--data-dir", dataDir], tooShort.io, [recordCommand])).toBe(1);
    expect(tooShort.err()).toContain("audio.segmentMs");
    const badFault = io();
    expect(await runCli(["record", "--duration", "1m", "--fault", "meteor", "--data-dir", dataDir], badFault.io, [recordCommand])).toBe(2);
  }, 60_000);
});
