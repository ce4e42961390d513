import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, open, rename, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import { EngineError } from "../src/bridge/index.ts";
import type { MediaPort, MediaProbe, WriteResult } from "../src/host/index.ts";
import { buildWavHeader, describeFormat, parseWavHeader, sameFormat, WAV_HEADER_BYTES, type WavInfo } from "../src/media/index.ts";

export interface FfmpegMediaOptions {
  /** Relative paths resolve against this (the host's data directory). */
  readonly dataDir?: string;
  readonly ffmpeg?: string;
  readonly ffprobe?: string;
}

/** Bytes copied per read/write: the whole concatenation holds only this much audio in memory. */
const CHUNK_BYTES = 1024 * 1024;
const HEAD_BYTES = 64 * 1024;

function available(program: string): boolean {
  const result = spawnSync(program, ["-version"], { stdio: "ignore", timeout: 10_000 });
  return result.status === 0;
}

function run(program: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function fsyncDir(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function sha256Of(path: string): Promise<WriteResult> {
  const hash = createHash("sha256");
  const handle = await open(path, "r");
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let size = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, size);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { size, sha256: hash.digest("hex") };
}

/**
 * Concatenates WAV files streamed with bounded memory: every segment's header
 * is read first (so the output's header and hash are known), the samples are
 * copied chunk by chunk behind a zeroed header, and the real header is written
 * last — a crash mid-way leaves a `.partial` file that no player mistakes for
 * a finished one. Segments of another format are refused, naming the segment.
 */
export async function concatWavStreamed(inputs: readonly string[], output: string): Promise<WriteResult> {
  if (inputs.length === 0) throw new EngineError("media.failed", "no audio segments to concatenate");
  const infos: WavInfo[] = [];
  const head = Buffer.allocUnsafe(HEAD_BYTES);
  for (const [index, path] of inputs.entries()) {
    const handle = await open(path, "r");
    try {
      const { size } = await handle.stat();
      const { bytesRead } = await handle.read(head, 0, Math.min(HEAD_BYTES, size), 0);
      const info = parseWavHeader(new Uint8Array(head.buffer, head.byteOffset, bytesRead), size);
      if (infos.length > 0 && !sameFormat(infos[0]!, info)) {
        throw new EngineError("media.unsupported_format", `audio segment ${index} (${path}) is ${describeFormat(info)}; the first segment is ${describeFormat(infos[0]!)}`, { data: { segment: index, path } });
      }
      infos.push(info);
    } finally {
      await handle.close();
    }
  }
  const total = infos.reduce((sum, info) => sum + info.dataLength, 0);
  const header = buildWavHeader(infos[0]!, total);
  const hash = createHash("sha256").update(header);
  const partial = `${output}.partial`;
  const out = await open(partial, "w");
  // Two buffers: the next chunk is read while the previous one is being written.
  const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
  let turn = 0;
  let pendingWrite: Promise<unknown> = Promise.resolve();
  try {
    let position = WAV_HEADER_BYTES;
    for (const [index, path] of inputs.entries()) {
      const info = infos[index]!;
      const input = await open(path, "r");
      try {
        let offset = info.dataOffset;
        let remaining = info.dataLength;
        while (remaining > 0) {
          const buffer = buffers[turn]!;
          turn ^= 1;
          const { bytesRead } = await input.read(buffer, 0, Math.min(buffer.length, remaining), offset);
          if (bytesRead === 0) throw new EngineError("media.failed", `audio segment ${index} (${path}) ended early`);
          const chunk = buffer.subarray(0, bytesRead);
          await pendingWrite;
          pendingWrite = out.write(chunk, 0, bytesRead, position);
          hash.update(chunk);
          position += bytesRead;
          offset += bytesRead;
          remaining -= bytesRead;
        }
      } finally {
        await input.close();
      }
    }
    await pendingWrite;
    await out.write(header, 0, WAV_HEADER_BYTES, 0);
    await out.datasync();
  } catch (error) {
    await pendingWrite.catch(() => undefined);
    await out.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
  await out.close();
  await rename(partial, output);
  await fsyncDir(dirname(output));
  return { size: WAV_HEADER_BYTES + total, sha256: hash.digest("hex") };
}

/**
 * The Node host's media capability over ffmpeg: WAV concatenation (streamed
 * in-process, no ffmpeg needed), video+audio merge to H.264 + AAC MP4 and
 * probing through ffmpeg/ffprobe. Undefined when ffmpeg is not installed.
 */
export function createFfmpegMedia(options: FfmpegMediaOptions = {}): MediaPort | undefined {
  const ffmpeg = options.ffmpeg ?? "ffmpeg";
  const ffprobe = options.ffprobe ?? "ffprobe";
  if (!available(ffmpeg)) return undefined;
  const resolve = (path: string) => (isAbsolute(path) || options.dataDir === undefined ? path : join(options.dataDir, path));
  return {
    async concatAudio(inputs, output) {
      const target = resolve(output);
      await mkdir(dirname(target), { recursive: true });
      return concatWavStreamed(inputs.map(resolve), target);
    },
    async mergeVideoAudio(videos, audio, output) {
      if (videos.length === 0) throw new EngineError("media.failed", "no video segments to merge");
      const target = resolve(output);
      await mkdir(dirname(target), { recursive: true });
      const list = `${target}.list.txt`;
      await writeFile(list, videos.map((v) => `file '${resolve(v).replace(/'/g, "'\\''")}'`).join("\n"));
      const partial = `${target}.partial.mp4`;
      const base = ["-hide_banner", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", list, ...(audio === undefined ? [] : ["-i", resolve(audio)]), "-map", "0:v:0", ...(audio === undefined ? [] : ["-map", "1:a:0"])];
      const tail = [...(audio === undefined ? [] : ["-c:a", "aac", "-b:a", "128k", "-shortest"]), "-movflags", "+faststart", partial];
      try {
        // Segments already in H.264 are copied; anything else is re-encoded.
        let result = await run(ffmpeg, [...base, "-c:v", "copy", ...tail]);
        if (result.code !== 0) result = await run(ffmpeg, [...base, "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", ...tail]);
        if (result.code !== 0) throw new EngineError("media.failed", `ffmpeg could not merge the video: ${result.stderr.trim().split("\n").pop() ?? "unknown error"}`);
        await rename(partial, target);
        await fsyncDir(dirname(target));
        return await sha256Of(target);
      } finally {
        await rm(list, { force: true });
        await rm(partial, { force: true });
      }
    },
    async probe(path): Promise<MediaProbe> {
      const result = await run(ffprobe, ["-v", "error", "-show_streams", "-show_format", "-of", "json", resolve(path)]);
      if (result.code !== 0) throw new EngineError("media.failed", `ffprobe failed: ${result.stderr.trim()}`);
      const parsed = JSON.parse(result.stdout) as { format?: { duration?: string }; streams?: { codec_type?: string; width?: number; height?: number; sample_rate?: string; channels?: number }[] };
      const video = parsed.streams?.find((s) => s.codec_type === "video");
      const audioStream = parsed.streams?.find((s) => s.codec_type === "audio");
      return {
        durationMs: Math.round(Number(parsed.format?.duration ?? 0) * 1000),
        hasVideo: video !== undefined,
        hasAudio: audioStream !== undefined,
        width: video?.width,
        height: video?.height,
        sampleRate: audioStream?.sample_rate === undefined ? undefined : Number(audioStream.sample_rate),
        channels: audioStream?.channels,
      };
    },
  };
}
