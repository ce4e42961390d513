import { decodePng, encodePng, isPng } from "../image/index.ts";

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

/**
 * Downscales a PNG in plain TypeScript (box filter) so its longer edge is at
 * most `maxEdge`, for hosts without native imaging. Returns undefined when the
 * bytes are not a decodable PNG: the caller then sends the original.
 */
export function downscalePng(bytes: Uint8Array, maxEdge: number): { bytes: Uint8Array; width: number; height: number; mimeType: string } | undefined {
  if (!isPng(bytes) || !hasImageData(bytes)) return undefined;
  let image;
  try {
    image = decodePng(bytes);
  } catch {
    return undefined;
  }
  const scale = maxEdge / Math.max(image.width, image.height);
  if (scale >= 1) return undefined;
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
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
  return { bytes: encodePng({ width, height, data: out, channels: 3 }), width, height, mimeType: "image/png" };
}
