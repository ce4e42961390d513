import { decodeJpeg, decodePng, encodePng, isJpeg, isPng, type RgbaImage } from "../image/index.ts";

/** The providers' recommended longest edge: larger images are scaled down by them and billed as if this size. */
export const MAX_UPLOAD_EDGE = 1568;

/** The media type the bytes really are (PNG, JPEG, GIF, WebP), whatever the file was called. */
export function sniffImageType(bytes: Uint8Array): "image/png" | "image/jpeg" | "image/gif" | "image/webp" | undefined {
  if (isPng(bytes)) return "image/png";
  if (isJpeg(bytes)) return "image/jpeg";
  if (bytes.length >= 6 && bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46 && bytes[3] === 0x38) return "image/gif";
  if (bytes.length >= 12 && bytes[0] === 0x52 && bytes[1] === 0x49 && bytes[2] === 0x46 && bytes[3] === 0x46 && bytes[8] === 0x57 && bytes[9] === 0x45 && bytes[10] === 0x42 && bytes[11] === 0x50) return "image/webp";
  return undefined;
}

/** Walks the chunk list for IDAT, so a truncated file is refused before any pixel buffer is allocated. */
function hasImageData(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let offset = 8; offset + 8 <= bytes.length; ) {
    const length = view.getUint32(offset);
    if (bytes[offset + 4] === 0x49 && bytes[offset + 5] === 0x44 && bytes[offset + 6] === 0x41 && bytes[offset + 7] === 0x54) return offset + 12 + length <= bytes.length;
    offset += 12 + length;
  }
  return false;
}

function decode(bytes: Uint8Array): RgbaImage | undefined {
  try {
    if (isPng(bytes)) return hasImageData(bytes) ? decodePng(bytes) : undefined;
    if (isJpeg(bytes)) return decodeJpeg(bytes);
  } catch {
    return undefined;
  }
  return undefined;
}

/** Box-filter downscale of an RGBA raster to RGB. */
function boxScale(image: RgbaImage, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  const xRatio = image.width / width;
  const yRatio = image.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * yRatio);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * yRatio));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * xRatio);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * xRatio));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = y0; sy < y1; sy++) {
        let index = (sy * image.width + x0) * 4;
        for (let sx = x0; sx < x1; sx++, index += 4) {
          r += image.data[index]!;
          g += image.data[index + 1]!;
          b += image.data[index + 2]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * width + x) * 3;
      out[o] = r / n;
      out[o + 1] = g / n;
      out[o + 2] = b / n;
    }
  }
  return out;
}

/**
 * Downscales a PNG or JPEG in plain TypeScript so its longer edge is at most
 * `maxEdge`, for hosts without native imaging; the result is a PNG. Returns
 * undefined when the bytes cannot be decoded or need no scaling: the caller
 * then sends the original, under its sniffed type.
 */
export function downscaleImage(bytes: Uint8Array, maxEdge: number): { bytes: Uint8Array; width: number; height: number; mimeType: string } | undefined {
  const image = decode(bytes);
  if (image === undefined) return undefined;
  const scale = maxEdge / Math.max(image.width, image.height);
  if (scale >= 1) return undefined;
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  return { bytes: encodePng({ width, height, data: boxScale(image, width, height), channels: 3 }), width, height, mimeType: "image/png" };
}




/** A rectangle in the image's own pixels. */
export interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Blacks out regions (with a few pixels of margin) of a PNG or JPEG and downscales it
 * so its longer edge is at most `maxEdge`; the result is a PNG. Undefined when the
 * bytes cannot be decoded: the caller must then not send the image.
 */
export function blackOutRegions(bytes: Uint8Array, regions: readonly Region[], maxEdge: number): { bytes: Uint8Array; width: number; height: number; mimeType: string } | undefined {
  const image = decode(bytes);
  if (image === undefined) return undefined;
  const margin = 4;
  for (const region of regions) {
    const x0 = Math.max(0, Math.floor(region.x - margin));
    const y0 = Math.max(0, Math.floor(region.y - margin));
    const x1 = Math.min(image.width, Math.ceil(region.x + region.width + margin));
    const y1 = Math.min(image.height, Math.ceil(region.y + region.height + margin));
    for (let y = y0; y < y1; y++) image.data.fill(0, (y * image.width + x0) * 4, (y * image.width + x1) * 4);
  }
  const scale = Math.min(1, maxEdge / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  // Alpha was zeroed with the colour: the scaled copy drops alpha, so the regions stay black.
  return { bytes: encodePng({ width, height, data: boxScale(image, width, height), channels: 3 }), width, height, mimeType: "image/png" };
}
