import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { oldChecksum } from "./wrapper.ts";

/**
 * Writes the previous app's on-disk formats from its documented shapes, for
 * tests and benchmarks: the file adapter's wrapper (`{ version, checksum,
 * timestamp, compressed, data }`, gzip behind `GZIP_V1:`), the chunked layout
 * (20 screenshots / 100 segments per `chunk-NNN`), the content-addressed
 * attachment store, `attachments/{id}.meta.json` + `.dat`, backups and
 * per-session exports. Media are real files made by ffmpeg when it is
 * installed (JPEG, MP3, MP4), else minimal valid headers.
 */

export function wrap(value: unknown, compressed: boolean, timestamp = 1_700_000_000_000): string {
  const json = JSON.stringify(value);
  const data = compressed ? `GZIP_V1:${gzipSync(Buffer.from(json, "utf8")).toString("base64")}` : json;
  return JSON.stringify({ version: 1, checksum: oldChecksum(json), timestamp, compressed, data }, null, 2);
}

function put(path: string, text: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Writes `db/{collection}.json` as the adapter does. */
export function writeCollection(root: string, collection: string, value: unknown, compressed: boolean): void {
  put(join(root, "db", `${collection}.json`), wrap(value, compressed));
}

const ffmpegAvailable = (() => {
  try {
    execFileSync("ffmpeg", ["-version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

function ffmpeg(args: string[], ext: string): Uint8Array | undefined {
  if (!ffmpegAvailable) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "stint-fixture-"));
  try {
    const out = join(dir, `out.${ext}`);
    execFileSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...args, out], { stdio: "ignore" });
    return new Uint8Array(readFileSync(out));
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const hasFfmpeg = ffmpegAvailable;

/** A JPEG of `width`×`height` (real, from ffmpeg; else SOI + APP0 + SOF0 + EOI, enough for its size). */
export function jpeg(width: number, height: number, color = "red"): Uint8Array {
  const real = ffmpeg(["-f", "lavfi", "-i", `color=c=${color}:s=${width}x${height}`, "-frames:v", "1"], "jpg");
  if (real !== undefined) return real;
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof0, 0xff, 0xd9]);
}

/** An MP3 of a tone (real, from ffmpeg; else a run of silent MPEG-1 layer III frames at 32 kb/s, 44.1 kHz). */
export function mp3(seconds: number, frequency = 440): Uint8Array {
  const real = ffmpeg(["-f", "lavfi", "-i", `sine=frequency=${frequency}:duration=${seconds}`, "-ac", "1", "-ar", "16000", "-c:a", "libmp3lame", "-b:a", "32k"], "mp3");
  if (real !== undefined) return real;
  const frame = new Uint8Array(104);
  frame.set([0xff, 0xfb, 0x10, 0xc4]);
  const frames = Math.ceil((seconds * 44_100) / 1152);
  const out = new Uint8Array(frame.length * frames);
  for (let i = 0; i < frames; i++) out.set(frame, i * frame.length);
  return out;
}

/** A 16-bit mono PCM WAV of a tone. */
export function wav(seconds: number, sampleRate = 16_000): Uint8Array {
  const samples = Math.round(seconds * sampleRate);
  const out = Buffer.alloc(44 + samples * 2);
  out.write("RIFF", 0);
  out.writeUInt32LE(36 + samples * 2, 4);
  out.write("WAVEfmt ", 8);
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write("data", 36);
  out.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) out.writeInt16LE(Math.round(Math.sin((i / sampleRate) * 2 * Math.PI * 440) * 8000), 44 + i * 2);
  return new Uint8Array(out);
}

/** A short MP4 (real, from ffmpeg; else an `ftyp` box). */
export function mp4(seconds = 1): Uint8Array {
  const real = ffmpeg(["-f", "lavfi", "-i", `testsrc=size=64x48:rate=5:duration=${seconds}`, "-pix_fmt", "yuv420p"], "mp4");
  if (real !== undefined) return real;
  return new Uint8Array([0, 0, 0, 24, ...Buffer.from("ftypisom"), 0, 0, 2, 0, ...Buffer.from("isomiso2")]);
}

export const dataUrl = (mime: string, bytes: Uint8Array) => `data:${mime};base64,${Buffer.from(bytes).toString("base64")}`;
export const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Stores bytes in the content-addressed store as the later versions do; returns the hash. */
export function writeCaAttachment(root: string, bytes: Uint8Array, mimeType: string, type: string, references: { sessionId: string; attachmentId: string }[], compressed: boolean): string {
  const hash = sha256Hex(bytes);
  const dir = join(root, "db", "attachments-ca", hash.slice(0, 2), hash);
  put(join(dir, "data.json"), wrap(dataUrl(mimeType, bytes), compressed));
  put(join(dir, "metadata.json"), wrap({ hash, mimeType, size: bytes.length, type, createdAt: 1, lastAccessedAt: 1, references: references.map((r) => ({ ...r, addedAt: 1 })), refCount: references.length }, compressed));
  return hash;
}

/** Stores an attachment as `attachments/{id}.meta.json` + `{id}.dat` (base64 or a data URL), or file-based with a path. */
export function writeFileAttachment(root: string, id: string, meta: Record<string, unknown>, bytes?: Uint8Array, asDataUrl = true): void {
  put(join(root, "attachments", `${id}.meta.json`), JSON.stringify({ id, createdAt: "2024-03-01T09:00:00.000Z", ...meta }));
  if (bytes !== undefined) put(join(root, "attachments", `${id}.dat`), asDataUrl ? dataUrl(String(meta.mimeType), bytes) : Buffer.from(bytes).toString("base64"));
}

/** Writes one session in the chunked layout: metadata without the big arrays, the optional objects, the chunks. */
export function writeChunkedSession(root: string, session: Record<string, unknown>, compressed: boolean): void {
  const { screenshots = [], audioSegments = [], summary, audioInsights, fullTranscription, contextItems, video, ...core } = session as Record<string, unknown> & { screenshots?: unknown[]; audioSegments?: unknown[] };
  const id = String(session.id);
  const dir = join("sessions", id);
  const chunked = (items: unknown[], size: number, folder: string, field: string) => {
    for (let i = 0; i * size < items.length || (i === 0 && items.length > 0); i++) {
      writeCollection(root, `${dir}/${folder}/chunk-${String(i).padStart(3, "0")}`, { sessionId: id, chunkIndex: i, [field]: items.slice(i * size, (i + 1) * size) }, compressed);
    }
    return { count: items.length, chunkCount: Math.ceil(items.length / size), chunkSize: size };
  };
  const videoChunks = (video as { chunks?: unknown[] } | undefined)?.chunks ?? [];
  const { chunks: _c, ...videoMeta } = (video ?? {}) as Record<string, unknown>;
  const manifest = { screenshots: chunked(screenshots, 20, "screenshots", "screenshots"), audioSegments: chunked(audioSegments, 100, "audio-segments", "segments"), videoChunks: chunked(videoChunks, 100, "video-chunks", "chunks") };
  writeCollection(root, `${dir}/metadata`, { ...core, ...(video === undefined ? {} : { video: videoMeta }), chunks: manifest, hasSummary: summary !== undefined, storageVersion: 1, createdAt: core.startTime, updatedAt: core.startTime }, compressed);
  if (summary !== undefined) writeCollection(root, `${dir}/summary`, summary, compressed);
  if (audioInsights !== undefined) writeCollection(root, `${dir}/audio-insights`, audioInsights, compressed);
  if (fullTranscription !== undefined) writeCollection(root, `${dir}/transcription`, fullTranscription, compressed);
  if (contextItems !== undefined) writeCollection(root, `${dir}/context-items`, contextItems, compressed);
}
