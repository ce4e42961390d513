import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildWavHeader, parseWavHeader } from "../src/media/index.ts";
import { concatWavStreamed, createFfmpegMedia, createProgressParser } from "./media-ffmpeg.ts";

const dir = mkdtempSync(join(tmpdir(), "stint-media-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tone(path: string, seconds: number, rate = 48_000, channels = 2, freq = 440): Buffer {
  const frames = Math.round(seconds * rate);
  const data = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * freq * i) / rate) * 8000), (i * channels + c) * 2);
  const bytes = Buffer.concat([Buffer.from(buildWavHeader({ audioFormat: 1, channels, sampleRate: rate, bitsPerSample: 16 }, data.length)), data]);
  writeFileSync(path, bytes);
  return data;
}

describe("streamed WAV concatenation (Node host)", () => {
  it("concatenates segments with the header written last and a correct hash", async () => {
    const parts = [0, 1, 2].map((i) => ({ path: join(dir, `seg${i}.wav`), data: tone(join(dir, `seg${i}.wav`), 0.5 + i * 0.25, 48_000, 2, 300 + i * 100) }));
    const out = join(dir, "out.wav");
    const result = await concatWavStreamed(parts.map((p) => p.path), out);
    const bytes = readFileSync(out);
    expect(result.size).toBe(bytes.length);
    expect(result.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    const info = parseWavHeader(new Uint8Array(bytes));
    expect(info.sampleRate).toBe(48_000);
    expect(info.channels).toBe(2);
    expect(info.dataLength).toBe(parts.reduce((n, p) => n + p.data.length, 0));
    expect(Buffer.compare(bytes.subarray(44), Buffer.concat(parts.map((p) => p.data)))).toBe(0);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it("refuses a segment of another format, naming it, and leaves nothing behind", async () => {
    tone(join(dir, "a.wav"), 0.2, 48_000, 2);
    tone(join(dir, "b.wav"), 0.2, 16_000, 1);
    const out = join(dir, "mixed.wav");
    await expect(concatWavStreamed([join(dir, "a.wav"), join(dir, "b.wav")], out)).rejects.toMatchObject({ code: "media.unsupported_format", message: expect.stringMatching(/segment 1 .*16000 Hz, 1 ch/) });
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });
});

const media = createFfmpegMedia({ dataDir: dir });
describe.skipIf(media === undefined)("ffmpeg merge and probe", () => {
  it("merges video segments and audio into an H.264 + AAC MP4", async () => {
    for (const i of [0, 1]) {
      const made = spawnSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", join(dir, `v${i}.mp4`)]);
      expect(made.status).toBe(0);
    }
    tone(join(dir, "track.wav"), 2, 48_000, 2);
    const fractions: number[] = [];
    const result = await media!.mergeVideoAudio(["v0.mp4", "v1.mp4"], "track.wav", "merged/out.mp4", { durationMs: 2000, onProgress: (f) => fractions.push(f) });
    expect(result.size).toBe(statSync(join(dir, "merged/out.mp4")).size);
    // ffmpeg's own -progress stream reached its end, in order.
    expect(fractions.at(-1)).toBe(1);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    const probe = await media!.probe("merged/out.mp4");
    expect(probe.hasVideo).toBe(true);
    expect(probe.hasAudio).toBe(true);
    expect(probe.width).toBe(160);
    expect(probe.durationMs).toBeGreaterThan(1500);
  });
});

describe("ffmpeg -progress parsing", () => {
  it("reports the fraction written from out_time_us, split across reads, rising only, and 1 at the end", () => {
    const seen: number[] = [];
    const feed = createProgressParser(10_000, (f) => seen.push(f));
    feed("frame=10\nout_time_us=2500000\nout_time_ms=2500");
    feed("000\nprogress=continue\nout_time_us=N/A\nout_time_us=1000000\n");
    feed("out_time_us=7500000\nprogress=continue\n");
    feed("out_time_us=12000000\nprogress=end\n");
    expect(seen).toEqual([0.25, 0.75, 1]);
  });

  it("still ends at 1 when the expected length is unknown", () => {
    const seen: number[] = [];
    const feed = createProgressParser(0, (f) => seen.push(f));
    feed("out_time_us=5000000\nprogress=end\n");
    expect(seen).toEqual([1]);
  });
});
