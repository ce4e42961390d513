import { describe, expect, it } from "vitest";
import { createMemoryHost } from "../host/index.ts";
import { BackgroundMediaProcessor, buildWavHeader, concatWavFiles, encodeWav, parseWavHeader, splitWav, wavPeak } from "./index.ts";

function wav(frames: number, rate = 48_000, channels = 2, fill = 1): Uint8Array {
  const data = new Uint8Array(frames * channels * 2).fill(fill);
  const out = new Uint8Array(44 + data.length);
  out.set(buildWavHeader({ audioFormat: 1, channels, sampleRate: rate, bitsPerSample: 16 }, data.length));
  out.set(data, 44);
  return out;
}

describe("WAV helpers", () => {
  it("parses a header whose data size was never written (crashed writer)", () => {
    const bytes = wav(100);
    new DataView(bytes.buffer).setUint32(40, 0, true);
    expect(parseWavHeader(bytes).dataLength).toBe(400);
  });

  it("encodes 16-bit samples that parse back to the same format, length and peak", () => {
    const samples = Int16Array.from([0, 1200, -16384, 300, 0, -5]);
    const bytes = encodeWav(samples, 22_050, 2);
    const info = parseWavHeader(bytes);
    expect(info).toMatchObject({ audioFormat: 1, channels: 2, sampleRate: 22_050, bitsPerSample: 16, dataOffset: 44, dataLength: 12 });
    expect(info.durationMs).toBeCloseTo((3 / 22_050) * 1000, 6);
    expect(wavPeak(bytes, info)).toBe(0.5);
    expect(new DataView(bytes.buffer).getInt16(44 + 4, true)).toBe(-16384);
  });

  it("rejects bytes that are not RIFF/WAVE with a typed error", () => {
    expect(() => parseWavHeader(new TextEncoder().encode("ID3\u0004 not a wave file at all"))).toThrow(expect.objectContaining({ code: "media.unsupported_format" }));
  });

  it("splits under an upload limit on frame boundaries", () => {
    const parts = splitWav(wav(48_000), 50_000);
    expect(parts.length).toBe(Math.ceil((48_000 * 4) / (50_000 - 44)));
    expect(parts.every((p) => p.bytes.length <= 50_000 && (p.bytes.length - 44) % 4 === 0)).toBe(true);
    expect(parts.reduce((n, p) => n + p.durationMs, 0)).toBeCloseTo(1000, 3);
  });
});

describe("engine-side concatenation over the files port", () => {
  it("concatenates, settles the header last, and reports progress", async () => {
    const host = createMemoryHost();
    await host.files.writeAtomic("a.wav", wav(1000, 48_000, 2, 1));
    // A longer header (an extra chunk) makes the provisional length wrong: the header is fixed at the end.
    const b = wav(500, 48_000, 2, 2);
    const withList = new Uint8Array(b.length + 12);
    withList.set(b.subarray(0, 36));
    withList.set([0x4c, 0x49, 0x53, 0x54, 4, 0, 0, 0, 0x49, 0x4e, 0x46, 0x4f], 36);
    withList.set(b.subarray(36), 48);
    await host.files.writeAtomic("b.wav", withList);
    const progress: number[] = [];
    const result = await concatWavFiles(host.files, ["a.wav", "b.wav"], "out/audio.wav", { crypto: host.crypto, onProgress: (p) => progress.push(p.done) });
    const bytes = await host.files.read("out/audio.wav");
    const info = parseWavHeader(bytes);
    expect(info.dataLength).toBe(6000);
    expect(bytes.length).toBe(6044);
    expect(bytes[44]).toBe(1);
    expect(bytes[44 + 4000]).toBe(2);
    expect(result.size).toBe(6044);
    expect(progress).toEqual([1, 2]);
    expect(await host.files.stat("out/audio.wav.partial")).toBeUndefined();
  });

  it("refuses mixed formats with a clear error", async () => {
    const host = createMemoryHost();
    await host.files.writeAtomic("a.wav", wav(10));
    await host.files.writeAtomic("b.wav", wav(10, 44_100, 1));
    await expect(concatWavFiles(host.files, ["a.wav", "b.wav"], "o.wav", { crypto: host.crypto })).rejects.toMatchObject({ code: "media.unsupported_format" });
    expect(await host.files.stat("o.wav.partial")).toBeUndefined();
  });

  it("skips the merge with a clear status when the host has no media capability", async () => {
    const host = createMemoryHost();
    await host.files.writeAtomic("a.wav", wav(10));
    const events: { method: string; params: unknown }[] = [];
    const processor = new BackgroundMediaProcessor(host, (method, params) => events.push({ method, params }));
    const result = await processor.process({ sessionId: "s", audio: ["a.wav"], video: ["v.mp4"], outputDir: "media/s" });
    expect(result.status).toBe("done");
    expect(result.detail).toMatch(/no media capability/);
    expect(events.at(-1)).toMatchObject({ method: "media.progress", params: { progress: 1 } });
  });

  it("reports the merge's own progress between one half and the end, never going back, and returns the merged file's digest", async () => {
    const host = createMemoryHost();
    await host.files.writeAtomic("a.wav", wav(10));
    const asked: { durationMs?: number }[] = [];
    const withMedia = {
      ...host,
      media: {
        concatAudio: async () => ({ size: 54, sha256: "a".repeat(64) }),
        probe: async () => ({ durationMs: 0, hasVideo: true, hasAudio: true }),
        async mergeVideoAudio(_videos: readonly string[], _audio: string | undefined, _output: string, options?: { durationMs?: number; onProgress?: (f: number) => void }) {
          asked.push({ durationMs: options?.durationMs });
          // A copy that failed half way, then a re-encode that starts counting again.
          for (const f of [0.2, 0.6, 0.1, 0.5, 0.9, 1]) options?.onProgress?.(f);
          return { size: 1234, sha256: "b".repeat(64) };
        },
      },
    };
    const events: { method: string; params: { stage: string; progress: number } }[] = [];
    const processor = new BackgroundMediaProcessor(withMedia, (method, params) => events.push({ method, params: params as { stage: string; progress: number } }));
    const result = await processor.process({ sessionId: "s", audio: ["a.wav"], video: ["v.mp4"], outputDir: "media/s", videoDurationMs: 40_000 });
    expect(asked).toEqual([{ durationMs: 40_000 }]);
    expect(result.merged).toEqual({ path: "media/s/merged.mp4", sha256: "b".repeat(64), size: 1234, hasAudio: true });
    const merge = events.filter((e) => e.params.stage === "merge").map((e) => e.params.progress);
    expect(merge).toEqual([0.5, 0.6, 0.8, 0.95, 1]);
  });
});
