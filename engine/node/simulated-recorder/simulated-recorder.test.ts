import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodePng } from "../../src/image/index.ts";
import { frameSpec, renderFrame } from "../../src/simulated-recorder/index.ts";
import { parseWavHeader, wavPeak } from "../../src/media/index.ts";
import { createEspeakSpeech, createFfmpegVideo, createWarpedTime, hasTool } from "./index.ts";

describe("Node simulated recorder extras", () => {
  it.skipIf(!hasTool("espeak-ng"))("speaks a segment with espeak-ng, padded to the segment length", async () => {
    const wav = await createEspeakSpeech()(2, 5_000);
    expect(wav).toBeDefined();
    const info = parseWavHeader(wav!);
    expect(info.durationMs).toBe(5_000);
    expect(wavPeak(wav!, info)).toBeGreaterThan(0.05);
  });

  it.skipIf(!hasTool("ffmpeg"))("encodes PNG frames into a real H.264 segment", async () => {
    const frames = [0, 1, 5, 6].map((i) => encodePng({ width: 64, height: 40, data: renderFrame(frameSpec(i), 64, 40), channels: 3 }));
    const mp4 = await createFfmpegVideo()(frames, 500);
    expect(mp4).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), "stint-video-test-"));
    try {
      writeFileSync(join(dir, "v.mp4"), mp4!);
      const probe = execFileSync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height:format=duration", "-of", "json", join(dir, "v.mp4")], { encoding: "utf8" });
      const parsed = JSON.parse(probe) as { streams: { codec_name: string; width: number }[]; format: { duration: string } };
      expect(parsed.streams[0]).toMatchObject({ codec_name: "h264", width: 64 });
      expect(Number(parsed.format.duration)).toBeCloseTo(2, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs virtual time at maximum speed in deadline order", async () => {
    let busy = false;
    const time = createWarpedTime({ speed: "max", busy: () => busy });
    const fired: number[] = [];
    const done = new Promise<void>((resolve) => {
      time.timers.setTimeout(() => fired.push(time.clock.elapsed()), 3_600_000);
      time.timers.setTimeout(() => {
        fired.push(time.clock.elapsed());
        busy = true;
        setTimeout(() => (busy = false), 20);
      }, 1_000);
      const cancelled = time.timers.setTimeout(() => fired.push(-1), 2_000);
      time.timers.clearTimeout(cancelled);
      time.timers.setTimeout(resolve, 7_200_000);
    });
    // Two virtual hours pass without waiting for them: the test's own timeout catches a pump that stalls.
    await done;
    expect(fired).toEqual([1_000, 3_600_000]);
    expect(time.clock.elapsed()).toBe(7_200_000);
    time.dispose();
  });

  it("runs virtual time at a fixed factor, never firing a timer before its virtual deadline", async () => {
    const time = createWarpedTime({ speed: 1000 });
    const fired: number[] = [];
    await new Promise<void>((resolve) => {
      for (const ms of [2_000, 500, 1_000]) time.timers.setTimeout(() => fired.push(ms) && fired.length === 3 && resolve(), ms);
    });
    // How late a timer fires depends on the machine's load; how early it may fire does not: never.
    expect(fired).toEqual([500, 1_000, 2_000]);
    expect(time.clock.elapsed()).toBeGreaterThanOrEqual(2_000);
    time.dispose();
  });
});
