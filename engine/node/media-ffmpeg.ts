import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";
import { chmod, mkdir, open, rename, rm, writeFile } from "node:fs/promises";
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

/**
 * Reads ffmpeg's `-progress` stream (blocks of `key=value` lines, each ending in
 * `progress=continue` or `progress=end`) and reports the fraction of `totalMs`
 * written so far. Returns a function to feed stdout text into.
 */
export function createProgressParser(totalMs: number, onProgress: (fraction: number) => void): (text: string) => void {
  let pending = "";
  let last = 0;
  return (text) => {
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      const [key, value] = line.trim().split("=", 2);
      let fraction: number | undefined;
      // out_time_ms is in microseconds too (an old misnomer kept by ffmpeg).
      if ((key === "out_time_us" || key === "out_time_ms") && value !== undefined && /^\d+$/.test(value) && totalMs > 0) fraction = Math.min(1, Number(value) / 1000 / totalMs);
      else if (key === "progress" && value === "end") fraction = 1;
      if (fraction !== undefined && fraction > last) {
        last = fraction;
        onProgress(fraction);
      }
    }
  };
}

function run(program: string, args: readonly string[], onStdout?: (text: string) => void): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (onStdout === undefined ? (stdout += chunk.toString()) : onStdout(chunk.toString())));
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
 * SHA-256 of the output computed on a worker thread from the same byte
 * ranges the copy reads, so hashing (the slowest part) overlaps the copy
 * instead of following it. Equivalent to hashing the written buffers: both
 * see exactly the bytes handed to `write`.
 */
const HASH_WORKER = `
const { workerData, parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const hash = createHash("sha256").update(Buffer.from(workerData.header));
const buffer = Buffer.allocUnsafe(${1024 * 1024});
for (const part of workerData.parts) {
  const fd = fs.openSync(part.path, "r");
  try {
    let offset = part.offset;
    let remaining = part.length;
    while (remaining > 0) {
      const n = fs.readSync(fd, buffer, 0, Math.min(buffer.length, remaining), offset);
      if (n === 0) throw new Error("short read while hashing " + part.path);
      hash.update(buffer.subarray(0, n));
      offset += n;
      remaining -= n;
    }
  } finally {
    fs.closeSync(fd);
  }
}
parentPort.postMessage(hash.digest("hex"));
`;

function hashOnWorker(header: Uint8Array, parts: readonly { path: string; offset: number; length: number }[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(HASH_WORKER, { eval: true, workerData: { header, parts } });
    worker.once("message", (digest: string) => resolve(digest));
    worker.once("error", reject);
    worker.once("exit", (code) => code !== 0 && reject(new Error(`hash worker exited with ${code}`)));
  });
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
  const digest = hashOnWorker(header, infos.map((info, index) => ({ path: inputs[index]!, offset: info.dataOffset, length: info.dataLength })));
  digest.catch(() => undefined);
  const partial = `${output}.partial`;
  const out = await open(partial, "w", 0o600);
  // Three buffers: the next chunk is read while earlier ones are still being written.
  const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
  const writes: (Promise<unknown> | undefined)[] = [undefined, undefined, undefined];
  let pendingWrite: Promise<unknown> = Promise.resolve();
  try {
    // Every chunk of every segment, in order, as (segment, offset, length).
    const plan: { index: number; offset: number; length: number }[] = [];
    for (const [index, info] of infos.entries()) {
      for (let done = 0; done < info.dataLength; done += CHUNK_BYTES) plan.push({ index, offset: info.dataOffset + done, length: Math.min(CHUNK_BYTES, info.dataLength - done) });
    }
    const handles = new Map<number, Awaited<ReturnType<typeof open>>>();
    const handleFor = async (index: number) => {
      let handle = handles.get(index);
      if (handle === undefined) handles.set(index, (handle = await open(inputs[index]!, "r")));
      return handle;
    };
    const readChunk = async (n: number) => {
      const chunk = plan[n]!;
      const slot = n % 3;
      await writes[slot];
      const { bytesRead } = await (await handleFor(chunk.index)).read(buffers[slot]!, 0, chunk.length, chunk.offset);
      if (bytesRead !== chunk.length) throw new EngineError("media.failed", `audio segment ${chunk.index} (${inputs[chunk.index]}) ended early`);
      return buffers[slot]!.subarray(0, bytesRead);
    };
    try {
      let position = WAV_HEADER_BYTES;
      let next = plan.length > 0 ? readChunk(0) : undefined;
      next?.catch(() => undefined);
      for (let n = 0; n < plan.length; n++) {
        const chunk = await next!;
        next = n + 1 < plan.length ? readChunk(n + 1) : undefined;
        // Awaited next turn; marked handled now so an early exit cannot leave an unhandled rejection.
        next?.catch(() => undefined);
        const write = out.write(chunk, 0, chunk.length, position);
        writes[n % 3] = write;
        pendingWrite = write;
        position += chunk.length;
      }
      await Promise.all(writes);
    } finally {
      // Inputs stay open until the end (one descriptor per segment) so no close races a read.
      for (const handle of handles.values()) await handle.close().catch(() => undefined);
    }
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
  return { size: WAV_HEADER_BYTES + total, sha256: await digest };
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
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      return concatWavStreamed(inputs.map(resolve), target);
    },
    async mergeVideoAudio(videos, audio, output, options = {}) {
      if (videos.length === 0) throw new EngineError("media.failed", "no video segments to merge");
      const target = resolve(output);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      const list = `${target}.list.txt`;
      await writeFile(list, videos.map((v) => `file '${resolve(v).replace(/'/g, "'\\''")}'`).join("\n"));
      const partial = `${target}.partial.mp4`;
      const base = ["-hide_banner", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", list, ...(audio === undefined ? [] : ["-i", resolve(audio)]), "-map", "0:v:0", ...(audio === undefined ? [] : ["-map", "1:a:0"])];
      const tail = [...(audio === undefined ? [] : ["-c:a", "aac", "-b:a", "128k", "-shortest"]), "-movflags", "+faststart", partial];
      const { durationMs, onProgress } = options;
      const watch = onProgress === undefined || durationMs === undefined ? [] : ["-nostats", "-progress", "pipe:1"];
      const feed = () => (onProgress === undefined || durationMs === undefined ? undefined : createProgressParser(durationMs, onProgress));
      try {
        // Segments already in H.264 are copied; anything else is re-encoded.
        let result = await run(ffmpeg, [...base, ...watch, "-c:v", "copy", ...tail], feed());
        if (result.code !== 0) result = await run(ffmpeg, [...base, ...watch, "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", ...tail], feed());
        if (result.code !== 0) throw new EngineError("media.failed", `ffmpeg could not merge the video: ${result.stderr.trim().split("\n").pop() ?? "unknown error"}`);
        // ffmpeg creates files by the umask; the data folder's are the user's alone.
        await chmod(partial, 0o600);
        await rename(partial, target);
        await fsyncDir(dirname(target));
        return await sha256Of(target);
      } finally {
        await rm(list, { force: true });
        await rm(partial, { force: true });
      }
    },
    async decodeAudioToWav(input, output) {
      const target = resolve(output);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      const partial = `${target}.partial.wav`;
      try {
        const result = await run(ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", "-i", resolve(input), "-vn", "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact", "-c:a", "pcm_s16le", "-f", "wav", partial]);
        if (result.code !== 0) throw new EngineError("media.failed", `ffmpeg could not decode the audio: ${result.stderr.trim().split("\n").pop() ?? "unknown error"}`);
        await chmod(partial, 0o600);
        await rename(partial, target);
        return await sha256Of(target);
      } finally {
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
