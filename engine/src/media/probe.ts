/**
 * Media checked by its bytes before anything decodes or stores it: a PNG or
 * JPEG must have a whole header, sane dimensions and a decode that fits in
 * memory; a WAV must have a PCM format and hold samples. Bad input gets a
 * typed error: `media.invalid` (malformed or truncated) or `media.too_large`.
 */
import { EngineError } from "../bridge/index.ts";
import { crc32, isJpeg, isPng, MAX_DECODE_BYTES, pngDecodeBytes } from "../image/index.ts";
import { parseWavHeader, type WavInfo } from "./wav.ts";

/** Bounds for decoding: no screen is wider than 16,384 px; a decode may use at most 384 MiB. */
export const MEDIA_LIMITS = { maxEdge: 16_384, maxPixels: 64_000_000, maxDecodeBytes: MAX_DECODE_BYTES } as const;

export interface ProbedImage {
  readonly mimeType: "image/png" | "image/jpeg";
  readonly width: number;
  readonly height: number;
  /** What decoding to RGBA would allocate, at most. */
  readonly decodeBytes: number;
}

const invalid = (message: string) => new EngineError("media.invalid", message);
const u32 = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const PNG_DEPTHS: Readonly<Record<number, readonly number[]>> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function bounded(probed: ProbedImage): ProbedImage {
  const { width, height, decodeBytes } = probed;
  if (width > MEDIA_LIMITS.maxEdge || height > MEDIA_LIMITS.maxEdge || width * height > MEDIA_LIMITS.maxPixels) {
    throw new EngineError("media.too_large", `a ${width}×${height} image is larger than any screen (at most ${MEDIA_LIMITS.maxEdge} px a side)`, { data: { width, height } });
  }
  if (decodeBytes > MEDIA_LIMITS.maxDecodeBytes) {
    throw new EngineError("media.too_large", `decoding this ${width}×${height} image would take ${Math.ceil(decodeBytes / 1048576)} MiB`, { data: { width, height, decodeBytes } });
  }
  return probed;
}

function probePng(bytes: Uint8Array): ProbedImage {
  // Signature, a 13-byte IHDR chunk, and at least an IEND after it.
  if (bytes.length < 8 + 25 + 12) throw invalid(`a PNG of ${bytes.length} bytes is truncated`);
  if (u32(bytes, 8) !== 13 || String.fromCharCode(...bytes.subarray(12, 16)) !== "IHDR") throw invalid("a PNG must start with a 13-byte IHDR chunk");
  if (crc32(bytes, 12, 29) !== u32(bytes, 29)) throw invalid("the PNG header fails its checksum");
  const width = u32(bytes, 16);
  const height = u32(bytes, 20);
  const [bitDepth, colorType, compression, filter, interlace] = bytes.subarray(24, 29);
  if (width === 0 || height === 0) throw invalid(`a PNG of ${width}×${height} has no pixels`);
  if (!(PNG_DEPTHS[colorType!] ?? []).includes(bitDepth!) || compression !== 0 || filter !== 0 || interlace! > 1) throw invalid(`the PNG header is not valid (colour type ${colorType}, depth ${bitDepth})`);
  let at = 33;
  let sawData = false;
  for (;;) {
    if (at + 12 > bytes.length) throw invalid("the PNG is truncated before its IEND chunk");
    const length = u32(bytes, at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (length > bytes.length - at - 12) throw invalid(`the PNG's ${type.replace(/[^\x20-\x7e]/g, "?")} chunk runs past the end of the file`);
    if (type === "IDAT") sawData = true;
    if (type === "IEND") break;
    at += 12 + length;
  }
  if (!sawData) throw invalid("the PNG holds no image data");
  return bounded({ mimeType: "image/png", width, height, decodeBytes: pngDecodeBytes(width, height, bitDepth!, PNG_CHANNELS[colorType!]!) });
}

function probeJpeg(bytes: Uint8Array): ProbedImage {
  let at = 2;
  let frame: { width: number; height: number; components: number } | undefined;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw invalid("the JPEG has a broken marker");
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9) break;
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length < 2 || at + 2 + length > bytes.length) throw invalid("the JPEG is truncated inside a header segment");
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = (bytes[at + 5]! << 8) | bytes[at + 6]!;
      const width = (bytes[at + 7]! << 8) | bytes[at + 8]!;
      const components = bytes[at + 9]!;
      if (width === 0 || height === 0 || components < 1 || components > 4 || length !== 8 + 3 * components) throw invalid(`the JPEG frame header is not valid (${width}×${height}, ${components} components)`);
      frame = { width, height, components };
    } else if (marker === 0xda) {
      if (frame === undefined) throw invalid("the JPEG starts a scan before its frame header");
      // Scan data follows; the image must end (EOI) somewhere after it.
      let end = bytes.length - 2;
      while (end > at && !(bytes[end] === 0xff && bytes[end + 1] === 0xd9)) end--;
      if (end <= at + 2 + length) throw invalid("the JPEG is truncated: its scan has no end");
      return bounded({ mimeType: "image/jpeg", width: frame.width, height: frame.height, decodeBytes: frame.width * frame.height * (4 + frame.components) });
    }
    at += 2 + length;
  }
  throw invalid(frame === undefined ? "the JPEG has no frame header" : "the JPEG has no image data");
}

/** Checks a screenshot's bytes (PNG or JPEG) before decoding or storing them. */
export function probeImage(bytes: Uint8Array): ProbedImage {
  if (isPng(bytes)) return probePng(bytes);
  if (isJpeg(bytes)) return probeJpeg(bytes);
  throw new EngineError("media.unsupported_format", `not a PNG or JPEG image (${bytes.length} bytes)`);
}

/** Checks a WAV file: a PCM or float format a player can read, and at least one whole sample frame. */
export function probeWav(head: Uint8Array, fileSize = head.length): WavInfo {
  let info: WavInfo;
  try {
    info = parseWavHeader(head, fileSize);
  } catch (error) {
    if (error instanceof EngineError && /^RIFF|not a RIFF/.test(error.message)) throw error;
    throw invalid(`the WAV header is not readable (${error instanceof Error ? error.message : String(error)})`);
  }
  const { audioFormat, channels, sampleRate, bitsPerSample } = info;
  if ((audioFormat !== 1 && audioFormat !== 3) || channels < 1 || channels > 8 || sampleRate < 1000 || sampleRate > 768_000 || ![8, 16, 24, 32, 64].includes(bitsPerSample)) {
    throw invalid(`the WAV format is not playable (format ${audioFormat}, ${channels} ch, ${sampleRate} Hz, ${bitsPerSample} bit)`);
  }
  if (info.dataLength <= 0) throw invalid("the WAV file holds no samples");
  return info;
}
