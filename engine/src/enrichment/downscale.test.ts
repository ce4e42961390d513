import { describe, expect, it } from "vitest";
import { decodePng, encodePng } from "../image/index.ts";
import { fitToTokenBudget, imageTokens } from "./cost/estimate.ts";
import { downscaleImage, MAX_UPLOAD_EDGE, sniffImageType } from "./downscale.ts";

describe("downscaling to a token budget", () => {
  it("fits a retina screenshot to about the budget", () => {
    const fitted = fitToTokenBudget(2560, 1600, 450);
    expect(imageTokens(fitted.width, fitted.height)).toBeLessThanOrEqual(450);
    expect(imageTokens(fitted.width, fitted.height)).toBeGreaterThan(400);
    expect(fitToTokenBudget(300, 200, 450)).toEqual({ width: 300, height: 200 });
  });

  it("downscales a real PNG in the engine, averaging pixels", () => {
    const width = 64;
    const height = 32;
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) data.set(i % 2 === 0 ? [255, 0, 0, 255] : [0, 0, 255, 255], i * 4);
    const small = downscaleImage(encodePng({ width, height, data }), 16)!;
    expect(small.width).toBe(16);
    expect(small.height).toBe(8);
    const decoded = decodePng(small.bytes);
    expect(decoded.data[0]).toBeGreaterThan(100);
    expect(decoded.data[2]).toBeGreaterThan(100);
    expect(downscaleImage(new Uint8Array([1, 2, 3]), 16)).toBeUndefined();
  });
});

describe("images by their real type", () => {
  it("sniffs PNG, JPEG, GIF and WebP from the bytes, whatever they were called", () => {
    expect(sniffImageType(encodePng({ width: 2, height: 2, data: new Uint8Array(16) }))).toBe("image/png");
    expect(sniffImageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe("image/jpeg");
    expect(sniffImageType(new TextEncoder().encode("GIF89a......"))).toBe("image/gif");
    expect(sniffImageType(new TextEncoder().encode("RIFF\0\0\0\0WEBPVP8 "))).toBe("image/webp");
    expect(sniffImageType(new Uint8Array([1, 2, 3, 4]))).toBeUndefined();
  });

  it("decodes and downscales a JPEG to a PNG within the edge limit", async () => {
    const { default: encode } = await import("jpeg-js/lib/encoder.js" as string);
    const width = 2000;
    const height = 1000;
    const data = new Uint8Array(width * height * 4).fill(200);
    const jpeg = new Uint8Array(encode({ width, height, data }, 80).data);
    const scaled = downscaleImage(jpeg, MAX_UPLOAD_EDGE)!;
    expect(scaled.mimeType).toBe("image/png");
    expect(Math.max(scaled.width, scaled.height)).toBe(MAX_UPLOAD_EDGE);
    expect(decodePng(scaled.bytes).width).toBe(MAX_UPLOAD_EDGE);
    expect(MAX_UPLOAD_EDGE).toBe(1568);
  });
});
