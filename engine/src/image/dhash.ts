/**
 * Difference hash: a 64-bit perceptual fingerprint from a 9×8 greyscale
 * thumbnail (each bit says whether a pixel is brighter than its right-hand
 * neighbour). Small edits flip few bits; a new screen flips many.
 */
import type { RgbaImage } from "./png.ts";

/** Box-filters an RGBA image down to `width`×`height` greyscale (Rec. 601 luma). */
export function downscaleGray(image: RgbaImage, width: number, height: number): Float64Array {
  const out = new Float64Array(width * height);
  const { data } = image;
  // Each source column's and row's target cell, computed once instead of per pixel.
  const column = new Int32Array(image.width);
  const perColumn = new Float64Array(width);
  for (let x = 0; x < image.width; x++) {
    column[x] = Math.min(width - 1, Math.floor((x * width) / image.width));
    perColumn[column[x]!]!++;
  }
  const perRow = new Float64Array(height);
  for (let y = 0; y < image.height; y++) {
    const base = Math.min(height - 1, Math.floor((y * height) / image.height));
    perRow[base]!++;
    const cell = base * width;
    let o = y * image.width * 4;
    for (let x = 0; x < image.width; x++, o += 4) out[cell + column[x]!]! += 0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]!;
  }
  for (let ty = 0; ty < height; ty++) {
    for (let tx = 0; tx < width; tx++) {
      const count = perRow[ty]! * perColumn[tx]!;
      out[ty * width + tx] = count > 0 ? out[ty * width + tx]! / count : 0;
    }
  }
  return out;
}

/** The 64-bit dHash of an image, as 16 lower-case hex characters. */
export function dHash(image: RgbaImage): string {
  const gray = downscaleGray(image, 9, 8);
  let high = 0;
  let low = 0;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      const bit = gray[y * 9 + x]! > gray[y * 9 + x + 1]! ? 1 : 0;
      const index = y * 8 + x;
      if (index < 32) high = ((high << 1) | bit) >>> 0;
      else low = ((low << 1) | bit) >>> 0;
    }
  }
  return high.toString(16).padStart(8, "0") + low.toString(16).padStart(8, "0");
}

function popcount(value: number): number {
  let v = value >>> 0;
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Number of differing bits between two 16-hex-character hashes. */
export function hammingDistance(a: string, b: string): number {
  if (a.length !== 16 || b.length !== 16) throw new RangeError("perceptual hashes must be 16 hex characters");
  return popcount(Number.parseInt(a.slice(0, 8), 16) ^ Number.parseInt(b.slice(0, 8), 16)) + popcount(Number.parseInt(a.slice(8), 16) ^ Number.parseInt(b.slice(8), 16));
}
