import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MediaPort } from "../../src/host/index.ts";
import { isPng } from "../../src/image/index.ts";
import { probeImage, probeWav } from "../../src/media/index.ts";
import type { MediaLookup, MediaRole } from "../../src/storage/index.ts";

/** What the bytes are, by their first bytes (never by a name or a declared type). */
export type Sniffed = "image/png" | "image/jpeg" | "audio/wav" | "audio/mpeg" | "video/mp4" | "video/webm" | "unknown";

const ascii = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));

/** An MPEG audio frame header: 11 sync bits, a valid version, layer III, a valid bitrate and sample rate. */
function isMpegAudioFrame(bytes: Uint8Array, at: number): boolean {
  if (at + 4 > bytes.length || bytes[at] !== 0xff || (bytes[at + 1]! & 0xe0) !== 0xe0) return false;
  const version = (bytes[at + 1]! >> 3) & 3;
  const layer = (bytes[at + 1]! >> 1) & 3;
  const bitrate = bytes[at + 2]! >> 4;
  const rate = (bytes[at + 2]! >> 2) & 3;
  return version !== 1 && layer === 1 && bitrate !== 0 && bitrate !== 15 && rate !== 3;
}

export function sniff(bytes: Uint8Array): Sniffed {
  if (isPng(bytes)) return "image/png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WAVE") return "audio/wav";
  if (bytes.length >= 12 && ascii(bytes, 4, 4) === "ftyp") return "video/mp4";
  if (bytes.length >= 4 && bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return "video/webm";
  if (bytes.length >= 10 && ascii(bytes, 0, 3) === "ID3") {
    // ID3v2 tag: its size is four 7-bit bytes; the first frame follows it.
    const size = ((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f);
    return isMpegAudioFrame(bytes, 10 + size) || bytes.length <= 10 + size ? "audio/mpeg" : "unknown";
  }
  return isMpegAudioFrame(bytes, 0) ? "audio/mpeg" : "unknown";
}

/** Bytes from base64 text or a data URL (whitespace ignored); undefined when it is not base64. */
export function decodeBase64Text(text: string): Uint8Array | undefined {
  const body = (text.startsWith("data:") ? text.slice(text.indexOf(",") + 1) : text).replace(/\s+/g, "");
  if (body.length === 0 || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(body)) return undefined;
  return new Uint8Array(Buffer.from(body, "base64"));
}

/**
 * Identifies an item's bytes for its role: images get their real size; WAV
 * its format and duration; MP3 is decoded once to WAV through the host's
 * media capability (every later stage, from concatenation to transcription
 * and the player, reads WAV); video is probed when the host can.
 */
export async function identify(bytes: Uint8Array, role: MediaRole, media: MediaPort | undefined): Promise<MediaLookup> {
  const kind = sniff(bytes);
  if (role === "screenshot") {
    if (kind === "image/png" || kind === "image/jpeg") {
      try {
        const { width, height } = probeImage(bytes);
        return { media: { bytes, mimeType: kind, width, height } };
      } catch (error) {
        return { missing: `an unusable ${kind === "image/png" ? "PNG" : "JPEG"} (${error instanceof Error ? error.message : String(error)})` };
      }
    }
    return { missing: `not a PNG or JPEG image (${kind === "unknown" ? `${bytes.length} unrecognised bytes` : kind})` };
  }
  if (role === "audio") {
    if (kind === "audio/wav") return wav(bytes);
    if (kind === "audio/mpeg") {
      if (media?.decodeAudioToWav === undefined) return { missing: "MP3 audio, and this machine cannot decode it (install ffmpeg and import again)" };
      const dir = mkdtempSync(join(tmpdir(), "stint-mp3-"));
      try {
        writeFileSync(join(dir, "in.mp3"), bytes);
        await media.decodeAudioToWav(join(dir, "in.mp3"), join(dir, "out.wav"));
        const decoded = await wav(new Uint8Array(readFileSync(join(dir, "out.wav"))));
        return "media" in decoded ? { media: { ...decoded.media, convertedFrom: "audio/mpeg" } } : decoded;
      } catch (error) {
        return { missing: `MP3 audio that could not be decoded (${error instanceof Error ? error.message : String(error)})` };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return { missing: `not WAV or MP3 audio (${kind === "unknown" ? `${bytes.length} unrecognised bytes` : kind})` };
  }
  if (kind !== "video/mp4" && kind !== "video/webm") return { missing: `not an MP4 or WebM video (${kind})` };
  return { media: { bytes, mimeType: kind } };
}

function wav(bytes: Uint8Array): MediaLookup {
  try {
    const info = probeWav(bytes, bytes.length);
    return { media: { bytes, mimeType: "audio/wav", sampleRate: info.sampleRate, channels: info.channels, durationMs: Math.round(info.durationMs) } };
  } catch (error) {
    return { missing: `an unusable WAV file (${error instanceof Error ? error.message : String(error)})` };
  }
}
