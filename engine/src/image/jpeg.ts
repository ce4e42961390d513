/**
 * JPEG in plain JavaScript (the `jpeg-js` decoder, with typed arrays only, so it
 * needs no Node `Buffer`): size from the frame header, and decode to RGBA for
 * hosts without native imaging.
 */
import decode from "jpeg-js/lib/decoder.js";
import type { RgbaImage } from "./png.ts";

export class JpegError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JpegError";
  }
}

/** Decodes at most this many pixels (a 64-megapixel frame, as for PNG). */
const MAX_PIXELS = 64_000_000;

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Width and height from the first start-of-frame marker, without decoding the pixels. */
export function readJpegSize(bytes: Uint8Array): { width: number; height: number } {
  if (!isJpeg(bytes)) throw new JpegError("not a JPEG file");
  for (let at = 2; at + 9 < bytes.length; ) {
    if (bytes[at] !== 0xff) throw new JpegError("bad marker");
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = (bytes[at + 5]! << 8) | bytes[at + 6]!;
      const width = (bytes[at + 7]! << 8) | bytes[at + 8]!;
      if (width === 0 || height === 0) throw new JpegError("bad frame size");
      return { width, height };
    }
    at += 2 + length;
  }
  throw new JpegError("no frame header");
}

/** Decodes a baseline or progressive JPEG to RGBA; refuses frames too large to hold before allocating them. */
export function decodeJpeg(bytes: Uint8Array): RgbaImage {
  const size = readJpegSize(bytes);
  if (size.width * size.height > MAX_PIXELS) throw new JpegError("image too large");
  try {
    const image = decode(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false, maxResolutionInMP: MAX_PIXELS / 1_000_000, maxMemoryUsageInMB: 512 });
    return { width: image.width, height: image.height, data: image.data };
  } catch (error) {
    throw new JpegError(`cannot decode JPEG: ${error instanceof Error ? error.message : String(error)}`);
  }
}
