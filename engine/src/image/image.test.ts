import { deflateSync, inflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32, decodeJpeg, decodePng, deflateZlib, dHash, encodePng, hammingDistance, inflateZlib, InflateError, isJpeg, JpegError, PngError, readJpegSize, readPngSize } from "./index.ts";

function pattern(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const inBox = x > (seed * 7) % width && x < ((seed * 7) % width) + width / 3 && y > height / 4 && y < height / 2;
      const ramp = seed % 2 === 0 ? ((width - x) * 255) / width : (x * 255) / width;
      data[o] = inBox ? 250 : ramp;
      data[o + 1] = inBox ? 250 : (y * 255) / height;
      data[o + 2] = (seed * 40) & 255;
      data[o + 3] = 255;
    }
  }
  return data;
}

describe("inflate and deflate", () => {
  it("inflates zlib's dynamic-Huffman output and zlib inflates ours", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 0, max: 9 }), (bytes, level) => {
        expect(inflateZlib(new Uint8Array(deflateSync(bytes, { level })))).toEqual(bytes);
        expect(new Uint8Array(inflateSync(deflateZlib(bytes)))).toEqual(bytes);
        expect(inflateZlib(deflateZlib(bytes))).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it("round-trips long repetitive input with matches at every distance", () => {
    const bytes = new Uint8Array(200_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i % 997) % 7 === 0 ? i & 255 : (i >> 9) & 3;
    const ours = deflateZlib(bytes);
    expect(ours.length).toBeLessThan(bytes.length / 4);
    expect(Buffer.compare(inflateSync(ours), bytes)).toBe(0);
    expect(Buffer.compare(inflateZlib(new Uint8Array(deflateSync(bytes))), bytes)).toBe(0);
  });

  it("rejects corrupt streams with a typed error", () => {
    const good = new Uint8Array(deflateSync(new TextEncoder().encode("hello hello hello hello")));
    const badChecksum = good.slice();
    badChecksum[badChecksum.length - 1]! ^= 1;
    expect(() => inflateZlib(badChecksum)).toThrow(InflateError);
    expect(() => inflateZlib(new Uint8Array([0x78, 0x9c, 0xff, 0xff, 0xff, 0xff]))).toThrow(InflateError);
    expect(() => inflateZlib(new Uint8Array([1, 2]))).toThrow(InflateError);
  });
});

describe("png", () => {
  it("encodes a PNG that decodes back to the same pixels", () => {
    const data = pattern(64, 40, 3);
    const png = encodePng({ width: 64, height: 40, data });
    expect(readPngSize(png)).toEqual({ width: 64, height: 40 });
    expect(decodePng(png).data).toEqual(data);
  });

  it("decodes RGB PNGs written by zlib with every filter type", () => {
    const width = 17;
    const height = 9;
    const rgb = new Uint8Array(width * height * 3).map((_, i) => (i * 31) & 255);
    const raw = new Uint8Array((width * 3 + 1) * height);
    for (let y = 0; y < height; y++) {
      // Filter 0 written as-is; the decoder must undo whatever byte says, so store filter 0 rows and a
      // Sub-filtered row computed here.
      const filter = y % 2;
      raw[y * (width * 3 + 1)] = filter;
      for (let x = 0; x < width * 3; x++) {
        const value = rgb[y * width * 3 + x]!;
        const left = x >= 3 ? rgb[y * width * 3 + x - 3]! : 0;
        raw[y * (width * 3 + 1) + 1 + x] = filter === 1 ? (value - left) & 255 : value;
      }
    }
    const chunk = (type: string, body: Uint8Array) => {
      const out = new Uint8Array(12 + body.length);
      const view = new DataView(out.buffer);
      view.setUint32(0, body.length);
      out.set(new TextEncoder().encode(type), 4);
      out.set(body, 8);
      view.setUint32(8 + body.length, crc32(out, 4, 8 + body.length));
      return out;
    };
    const ihdr = new Uint8Array(13);
    new DataView(ihdr.buffer).setUint32(0, width);
    new DataView(ihdr.buffer).setUint32(4, height);
    ihdr[8] = 8;
    ihdr[9] = 2;
    const parts = [new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", new Uint8Array(deflateSync(raw))), chunk("IEND", new Uint8Array())];
    const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      png.set(part, at);
      at += part.length;
    }
    const image = decodePng(png);
    for (let i = 0; i < width * height; i++) {
      expect([image.data[i * 4], image.data[i * 4 + 1], image.data[i * 4 + 2], image.data[i * 4 + 3]]).toEqual([rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2], 255]);
    }
    const corrupt = png.slice();
    corrupt[40]! ^= 0xff;
    expect(() => decodePng(corrupt)).toThrow(PngError);
    expect(() => decodePng(new Uint8Array([1, 2, 3]))).toThrow(PngError);
  });
});

describe("dHash", () => {
  it("is stable for identical images, close for near-identical ones and far for different screens", () => {
    const a = pattern(160, 100, 1);
    const nearlyA = a.slice();
    for (let i = 0; i < 12; i++) nearlyA[(50 * 160 + 80 + i) * 4]! ^= 0x20;
    const b = pattern(160, 100, 6);
    const hashA = dHash({ width: 160, height: 100, data: a });
    expect(hashA).toMatch(/^[0-9a-f]{16}$/);
    expect(hammingDistance(hashA, dHash({ width: 160, height: 100, data: a.slice() }))).toBe(0);
    expect(hammingDistance(hashA, dHash({ width: 160, height: 100, data: nearlyA }))).toBeLessThanOrEqual(2);
    expect(hammingDistance(hashA, dHash({ width: 160, height: 100, data: b }))).toBeGreaterThan(8);
  });

  it("counts differing bits", () => {
    expect(hammingDistance("0000000000000000", "ffffffffffffffff")).toBe(64);
    expect(hammingDistance("0000000100000000", "0000000000000001")).toBe(2);
    expect(() => hammingDistance("00", "00")).toThrow(RangeError);
  });
});

describe("jpeg", () => {
  it("reads the size from the frame header and decodes to RGBA close to the source", async () => {
    const { default: encode } = await import("jpeg-js/lib/encoder.js" as string);
    const width = 48;
    const height = 24;
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) data.set(i % width < width / 2 ? [220, 30, 30, 255] : [30, 30, 220, 255], i * 4);
    const jpeg = new Uint8Array(encode({ width, height, data }, 90).data);
    expect(isJpeg(jpeg)).toBe(true);
    expect(readJpegSize(jpeg)).toEqual({ width, height });
    const decoded = decodeJpeg(jpeg);
    expect(decoded.width).toBe(width);
    expect(decoded.data.length).toBe(width * height * 4);
    expect(decoded.data[0]).toBeGreaterThan(180);
    expect(decoded.data[(width - 1) * 4 + 2]).toBeGreaterThan(180);
  });

  it("refuses a header that claims a huge frame before allocating it, and garbage with a typed error", () => {
    // SOI, then a SOF0 claiming 65535 × 65535 and nothing else.
    const liar = new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0xff, 0xff, 0xff, 0xff, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
    expect(readJpegSize(liar)).toEqual({ width: 65535, height: 65535 });
    expect(() => decodeJpeg(liar)).toThrow(JpegError);
    expect(() => decodeJpeg(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 1, 2]))).toThrow(JpegError);
    expect(isJpeg(new Uint8Array([0x89, 0x50]))).toBe(false);
  });
});
