// The PNG decoder and the dHash thumbnail run one loop per layout for speed.
// Here they are checked against oracles written straight from the PNG
// specification (section 9, filtering; section 13, sample depth scaling): one
// branch per byte and per sample, with no shortcuts, over random images of
// every colour type, bit depth and filter.
import { deflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32, decodePng, downscaleGray, type RgbaImage } from "./index.ts";

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const LAYOUTS: ReadonlyArray<readonly [colorType: number, bitDepth: number]> = [
  [0, 1], [0, 2], [0, 4], [0, 8], [0, 16],
  [2, 8], [2, 16],
  [3, 1], [3, 2], [3, 4], [3, 8],
  [4, 8], [4, 16],
  [6, 8], [6, 16],
];

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out, 4, 8 + body.length));
  return out;
}

function png(width: number, height: number, colorType: number, bitDepth: number, raw: Uint8Array, palette?: Uint8Array, transparency?: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  const parts = [new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr)];
  if (palette !== undefined) parts.push(chunk("PLTE", palette));
  if (transparency !== undefined) parts.push(chunk("tRNS", transparency));
  parts.push(chunk("IDAT", new Uint8Array(deflateSync(raw))), chunk("IEND", new Uint8Array()));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Reconstruction as the specification states it, byte by byte. */
function oracleUnfilter(raw: Uint8Array, height: number, stride: number, bpp: number): Uint8Array {
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const filt = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= bpp ? out[y * stride + x - bpp]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + x]! : 0;
      const c = x >= bpp && y > 0 ? out[(y - 1) * stride + x - bpp]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, Math.floor((a + b) / 2), paeth][filter]!;
      out[y * stride + x] = (filt + predictor) % 256;
    }
  }
  return out;
}

/** Sample `index` of a row as 8 bits: 16-bit keeps its high byte, sub-byte greys scale to 0–255, palette indices stay indices. */
function oracleSample(rows: Uint8Array, rowStart: number, index: number, bitDepth: number, colorType: number): number {
  if (bitDepth === 16) return rows[rowStart + index * 2]!;
  if (bitDepth === 8) return rows[rowStart + index]!;
  const bit = index * bitDepth;
  const value = (rows[rowStart + Math.floor(bit / 8)]! >> (8 - bitDepth - (bit % 8))) & ((1 << bitDepth) - 1);
  return colorType === 3 ? value : Math.round((value * 255) / ((1 << bitDepth) - 1));
}

function oracleDecode(width: number, height: number, colorType: number, bitDepth: number, raw: Uint8Array, palette: Uint8Array, transparency?: Uint8Array): Uint8Array {
  const channels = CHANNELS[colorType]!;
  const stride = Math.ceil((width * channels * bitDepth) / 8);
  const rows = oracleUnfilter(raw, height, stride, Math.max(1, (channels * bitDepth) >> 3));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (k: number) => oracleSample(rows, y * stride, x * channels + k, bitDepth, colorType);
      let pixel: number[];
      if (colorType === 0) pixel = [s(0), s(0), s(0), 255];
      else if (colorType === 2) pixel = [s(0), s(1), s(2), 255];
      else if (colorType === 3) pixel = [palette[s(0) * 3]!, palette[s(0) * 3 + 1]!, palette[s(0) * 3 + 2]!, transparency !== undefined && s(0) < transparency.length ? transparency[s(0)]! : 255];
      else if (colorType === 4) pixel = [s(0), s(0), s(0), s(1)];
      else pixel = [s(0), s(1), s(2), s(3)];
      rgba.set(pixel, (y * width + x) * 4);
    }
  }
  return rgba;
}

/** Every pixel added to its cell's sum in scan order, then each sum divided by its pixel count. */
function oracleDownscale(image: RgbaImage, width: number, height: number): Float64Array {
  const sums = new Float64Array(width * height);
  const counts = new Float64Array(width * height);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const cell = Math.min(height - 1, Math.floor((y * height) / image.height)) * width + Math.min(width - 1, Math.floor((x * width) / image.width));
      const o = (y * image.width + x) * 4;
      sums[cell]! += 0.299 * image.data[o]! + 0.587 * image.data[o + 1]! + 0.114 * image.data[o + 2]!;
      counts[cell]!++;
    }
  }
  return sums.map((sum, i) => (counts[i]! > 0 ? sum / counts[i]! : 0));
}

const imageCase = fc
  .record({
    layout: fc.constantFrom(...LAYOUTS),
    width: fc.integer({ min: 1, max: 23 }),
    height: fc.integer({ min: 1, max: 9 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    withTransparency: fc.boolean(),
  })
  .map(({ layout: [colorType, bitDepth], width, height, seed, withTransparency }) => {
    let state = seed || 1;
    const next = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state >>> 24;
    };
    const stride = Math.ceil((width * CHANNELS[colorType]! * bitDepth) / 8);
    const raw = new Uint8Array((stride + 1) * height);
    for (let y = 0; y < height; y++) {
      raw[y * (stride + 1)] = next() % 5;
      for (let x = 0; x < stride; x++) raw[y * (stride + 1) + 1 + x] = next();
    }
    // A full palette, so every index a random byte can name exists.
    const palette = Uint8Array.from({ length: 256 * 3 }, next);
    const transparency = colorType === 3 && withTransparency ? Uint8Array.from({ length: 1 + (next() % 200) }, next) : undefined;
    return { colorType, bitDepth, width, height, raw, palette, transparency };
  });

describe("PNG decoding against the specification's byte-by-byte reconstruction", () => {
  it("decodes every colour type, bit depth and filter to the same RGBA", () => {
    fc.assert(
      fc.property(imageCase, ({ colorType, bitDepth, width, height, raw, palette, transparency }) => {
        const file = png(width, height, colorType, bitDepth, raw, colorType === 3 ? palette : undefined, transparency);
        const decoded = decodePng(file);
        expect(decoded.width).toBe(width);
        expect(Array.from(decoded.data)).toEqual(Array.from(oracleDecode(width, height, colorType, bitDepth, raw, palette, transparency)));
      }),
      { numRuns: 600 },
    );
  });

  it("has every filter type in the cases it checks", () => {
    const seen = new Set<number>();
    fc.assert(
      fc.property(imageCase, ({ raw, width, colorType, bitDepth, height }) => {
        const stride = Math.ceil((width * CHANNELS[colorType]! * bitDepth) / 8);
        for (let y = 0; y < height; y++) seen.add(raw[y * (stride + 1)]!);
      }),
      { numRuns: 50 },
    );
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("dHash's thumbnail against the per-pixel box filter", () => {
  it("gives bit-identical cells for any image size, including ones smaller than the thumbnail", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (width, height, seed) => {
        let state = seed || 1;
        const data = Uint8Array.from({ length: width * height * 4 }, () => {
          state = (Math.imul(state, 1103515245) + 12345) >>> 0;
          return state >>> 24;
        });
        const image = { width, height, data };
        expect(Array.from(downscaleGray(image, 9, 8))).toEqual(Array.from(oracleDownscale(image, 9, 8)));
      }),
      { numRuns: 300 },
    );
  });
});
