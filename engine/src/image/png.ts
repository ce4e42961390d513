/**
 * PNG encode and decode in plain TypeScript, for hosts without native image
 * code (the Node dev host, the browser demo, the tests). Decoding covers the
 * non-interlaced formats screen captures use: grey, RGB, palette, grey+alpha,
 * RGBA, at 8 or 16 bits.
 */
import { deflateZlib, inflateZlib } from "./zlib.ts";

/** An 8-bit RGBA raster, rows top to bottom. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export class PngError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PngError";
  }
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 255]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const readU32 = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((value, i) => bytes[i] === value);
}

/** Reads width and height from the IHDR without decoding the pixels. */
export function readPngSize(bytes: Uint8Array): { width: number; height: number } {
  if (!isPng(bytes) || bytes.length < 24) throw new PngError("not a PNG file");
  return { width: readU32(bytes, 16), height: readU32(bytes, 20) };
}

const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** The most memory one image decode may take (a 5K screen at 8 bits takes about 180 MiB). */
export const MAX_DECODE_BYTES = 384 * 1024 * 1024;

/** What decoding a PNG of this header allocates: the inflated rows, the unfiltered rows and the RGBA raster. */
export function pngDecodeBytes(width: number, height: number, bitDepth: number, channels: number): number {
  const stride = Math.ceil((width * channels * bitDepth) / 8);
  return (stride + 1) * height + stride * height + width * height * 4;
}

/**
 * Undoes one row's filter into `out` (the previous row is already there).
 * One loop per filter type rather than a branch per byte: decoding is most of
 * the engine's work per screenshot where the host has no native imaging.
 */
function unfilterRow(raw: Uint8Array, at: number, out: Uint8Array, row: number, stride: number, bpp: number, first: boolean): void {
  const filter = raw[at]!;
  const src = at + 1;
  const prior = row - stride;
  const head = Math.min(bpp, stride);
  switch (filter) {
    case 0:
      out.set(raw.subarray(src, src + stride), row);
      return;
    case 1:
      for (let x = 0; x < head; x++) out[row + x] = raw[src + x]!;
      for (let x = head; x < stride; x++) out[row + x] = (raw[src + x]! + out[row + x - bpp]!) & 255;
      return;
    case 2:
      if (first) out.set(raw.subarray(src, src + stride), row);
      else for (let x = 0; x < stride; x++) out[row + x] = (raw[src + x]! + out[prior + x]!) & 255;
      return;
    case 3:
      if (first) {
        for (let x = 0; x < head; x++) out[row + x] = raw[src + x]!;
        for (let x = head; x < stride; x++) out[row + x] = (raw[src + x]! + (out[row + x - bpp]! >> 1)) & 255;
      } else {
        for (let x = 0; x < head; x++) out[row + x] = (raw[src + x]! + (out[prior + x]! >> 1)) & 255;
        for (let x = head; x < stride; x++) out[row + x] = (raw[src + x]! + ((out[row + x - bpp]! + out[prior + x]!) >> 1)) & 255;
      }
      return;
    case 4:
      if (first) {
        // With no row above, Paeth picks the left neighbour: it is the Sub filter.
        for (let x = 0; x < head; x++) out[row + x] = raw[src + x]!;
        for (let x = head; x < stride; x++) out[row + x] = (raw[src + x]! + out[row + x - bpp]!) & 255;
      } else {
        // With no left neighbour, Paeth picks the byte above.
        for (let x = 0; x < head; x++) out[row + x] = (raw[src + x]! + out[prior + x]!) & 255;
        for (let x = head; x < stride; x++) {
          const a = out[row + x - bpp]!;
          const b = out[prior + x]!;
          const c = out[prior + x - bpp]!;
          const p = a + b - c;
          const pa = p > a ? p - a : a - p;
          const pb = p > b ? p - b : b - p;
          const pc = p > c ? p - c : c - p;
          out[row + x] = (raw[src + x]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
        }
      }
      return;
    default:
      throw new PngError(`bad filter type ${filter}`);
  }
}

/** Unfiltered rows to 8-bit RGBA: a plain loop for each common layout, a per-sample path for palettes and sub-byte greys. */
function toRgba(
  pixels: Uint8Array,
  width: number,
  height: number,
  stride: number,
  bitDepth: number,
  colorType: number,
  palette: Uint8Array | undefined,
  transparency: Uint8Array | undefined,
): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  if (bitDepth === 8 || bitDepth === 16) {
    // 16-bit samples keep their high byte.
    const step = bitDepth >> 3;
    const channels = CHANNELS[colorType]!;
    if (colorType === 6 && step === 1) {
      rgba.set(pixels.subarray(0, width * height * 4));
      return rgba;
    }
    if (colorType !== 3) {
      const px = channels * step;
      for (let y = 0; y < height; y++) {
        let i = y * stride;
        let o = y * width * 4;
        for (let x = 0; x < width; x++, i += px, o += 4) {
          if (colorType === 2) {
            rgba[o] = pixels[i]!;
            rgba[o + 1] = pixels[i + step]!;
            rgba[o + 2] = pixels[i + 2 * step]!;
            rgba[o + 3] = 255;
          } else if (colorType === 0) {
            rgba[o] = rgba[o + 1] = rgba[o + 2] = pixels[i]!;
            rgba[o + 3] = 255;
          } else if (colorType === 4) {
            rgba[o] = rgba[o + 1] = rgba[o + 2] = pixels[i]!;
            rgba[o + 3] = pixels[i + step]!;
          } else {
            rgba[o] = pixels[i]!;
            rgba[o + 1] = pixels[i + step]!;
            rgba[o + 2] = pixels[i + 2 * step]!;
            rgba[o + 3] = pixels[i + 3 * step]!;
          }
        }
      }
      return rgba;
    }
  }
  const max = (1 << bitDepth) - 1;
  const sample = (row: number, index: number): number => {
    if (bitDepth === 8) return pixels[row + index]!;
    const bit = index * bitDepth;
    const value = (pixels[row + (bit >> 3)]! >> (8 - bitDepth - (bit & 7))) & max;
    return colorType === 3 ? value : Math.round((value * 255) / max);
  };
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (colorType === 0) {
        const g = sample(row, x);
        rgba[o] = rgba[o + 1] = rgba[o + 2] = g;
        rgba[o + 3] = 255;
      } else {
        const index = sample(row, x);
        if (palette === undefined || index * 3 + 2 >= palette.length) throw new PngError("palette index out of range");
        rgba[o] = palette[index * 3]!;
        rgba[o + 1] = palette[index * 3 + 1]!;
        rgba[o + 2] = palette[index * 3 + 2]!;
        rgba[o + 3] = transparency !== undefined && index < transparency.length ? transparency[index]! : 255;
      }
    }
  }
  return rgba;
}

/** Decodes a PNG to RGBA; checks chunk CRCs. */
export function decodePng(bytes: Uint8Array): RgbaImage {
  if (!isPng(bytes)) throw new PngError("not a PNG file");
  let at = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = -1;
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  const parts: Uint8Array[] = [];
  let idatLength = 0;
  let ended = false;
  while (at + 12 <= bytes.length) {
    const length = readU32(bytes, at);
    const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    const dataStart = at + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length) throw new PngError(`truncated ${type} chunk`);
    if (crc32(bytes, at + 4, dataEnd) !== readU32(bytes, dataEnd)) throw new PngError(`CRC mismatch in ${type} chunk`);
    const data = bytes.subarray(dataStart, dataEnd);
    if (type === "IHDR") {
      width = readU32(data, 0);
      height = readU32(data, 4);
      bitDepth = data[8]!;
      colorType = data[9]!;
      if (data[12] !== 0) throw new PngError("interlaced PNG is not supported");
    } else if (type === "PLTE") palette = data;
    else if (type === "tRNS") transparency = data;
    else if (type === "IDAT") {
      parts.push(data);
      idatLength += length;
    } else if (type === "IEND") {
      ended = true;
      break;
    }
    at = dataEnd + 4;
  }
  if (!ended) throw new PngError("missing IEND chunk");
  const channels = CHANNELS[colorType];
  if (channels === undefined || width === 0 || height === 0) throw new PngError("bad IHDR");
  if (bitDepth !== 8 && bitDepth !== 16 && !(colorType === 3 && bitDepth <= 8) && !(colorType === 0 && bitDepth < 8)) {
    throw new PngError(`unsupported bit depth ${bitDepth}`);
  }
  if (width * height > 64_000_000) throw new PngError("image too large");
  if (pngDecodeBytes(width, height, bitDepth, channels) > MAX_DECODE_BYTES) throw new PngError("image too large to decode");
  const compressed = new Uint8Array(idatLength);
  let offset = 0;
  for (const part of parts) {
    compressed.set(part, offset);
    offset += part.length;
  }
  const bitsPerPixel = channels * bitDepth;
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  // Inflate no further than the rows the header declares: a small stream cannot balloon (a decompression bomb).
  const raw = inflateZlib(compressed, (stride + 1) * height);
  if (raw.length < (stride + 1) * height) throw new PngError("image data too short");
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) unfilterRow(raw, y * (stride + 1), pixels, y * stride, stride, bpp, y === 0);
  const rgba = toRgba(pixels, width, height, stride, bitDepth, colorType, palette, transparency);
  return { width, height, data: rgba };
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** Encodes an RGB (3 channels) or RGBA (4 channels) raster as an 8-bit PNG. */
export function encodePng(
  image: { readonly width: number; readonly height: number; readonly data: Uint8Array; readonly channels?: 3 | 4 },
  options: { readonly zlib?: (raw: Uint8Array) => Uint8Array } = {},
): Uint8Array {
  const channels = image.channels ?? 4;
  const { width, height } = image;
  if (image.data.length !== width * height * channels) throw new PngError("pixel buffer does not match the size");
  const stride = width * channels;
  // Filter "Up" turns repeated rows into zeros, which the encoder's matcher folds into long runs.
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const dst = y * (stride + 1);
    const src = y * stride;
    raw[dst] = y === 0 ? 0 : 2;
    if (y === 0) raw.set(image.data.subarray(src, src + stride), dst + 1);
    else for (let x = 0; x < stride; x++) raw[dst + 1 + x] = (image.data[src + x]! - image.data[src - stride + x]!) & 255;
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8;
  header[9] = channels === 4 ? 6 : 2;
  const parts = [new Uint8Array(SIGNATURE), chunk("IHDR", header), chunk("IDAT", (options.zlib ?? deflateZlib)(raw)), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
