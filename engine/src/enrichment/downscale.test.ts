import { describe, expect, it } from "vitest";
import { decodePng, encodePng } from "../image/index.ts";
import { fitToTokenBudget, imageTokens } from "./cost/estimate.ts";
import { downscalePng } from "./downscale.ts";

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
    const small = downscalePng(encodePng({ width, height, data }), 16)!;
    expect(small.width).toBe(16);
    expect(small.height).toBe(8);
    const decoded = decodePng(small.bytes);
    expect(decoded.data[0]).toBeGreaterThan(100);
    expect(decoded.data[2]).toBeGreaterThan(100);
    expect(downscalePng(new Uint8Array([1, 2, 3]), 16)).toBeUndefined();
  });
});
