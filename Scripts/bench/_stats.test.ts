import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM bench module without types
import { figure, finish, median, quantile, repeat, rounds, summarize } from "./_stats.mjs";

describe("bench statistics", () => {
  it("takes the median of odd and even counts", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("takes nearest-rank quantiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100, unsorted
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile(values, 1)).toBe(100);
    expect(quantile(values, 0)).toBe(1);
    expect(quantile([7, 3], 0.5)).toBe(3);
  });

  it("summarizes samples as median with min and max, ignoring non-numbers", () => {
    expect(summarize([3, 9, 1, 4, 5])).toEqual({ value: 4, min: 1, max: 9, runs: 5, samples: [3, 9, 1, 4, 5] });
    expect(summarize([2, Number.NaN, undefined])).toMatchObject({ value: 2, runs: 1 });
    expect(summarize(7)).toMatchObject({ value: 7, min: 7, max: 7, runs: 1 });
  });

  it("resolves a goal set by a peer and judges it in the figure's direction", () => {
    const higher = finish(figure({ name: "a", unit: "items/s", better: "higher", samples: [90, 110, 100], peers: { sqlite: [80, 100, 120] }, goal: { peer: "sqlite", factor: 1 } }));
    expect(higher).toMatchObject({ value: 100, min: 90, max: 110, goal: 100, met: true, goalRule: "≥ 1× sqlite" });
    expect(higher.peers.sqlite).toMatchObject({ value: 100, min: 80, max: 120, runs: 3 });
    const lower = finish(figure({ name: "b", unit: "ms", better: "lower", samples: [25, 30, 35], peers: { cat: [10, 10, 10] }, goal: { peer: "cat", factor: 1.2 } }));
    expect(lower.goal).toBeCloseTo(12);
    expect(lower.met).toBe(false);
    expect(lower.goalRule).toBe("≤ 1.2× cat");
  });

  it("rejects a goal naming a peer the figure does not have, and a missing direction", () => {
    expect(() => finish(figure({ name: "c", unit: "ms", better: "lower", samples: [1], goal: { peer: "nobody", factor: 1 } }))).toThrow(/missing peer nobody/);
    expect(() => figure({ name: "d", unit: "ms", better: "up", samples: [1] })).toThrow(/better/);
  });

  it("runs every contender the same number of times in a rotated order", async () => {
    const order: string[] = [];
    const samples = await rounds(3, {
      a: async () => (order.push("a"), 1),
      b: async () => (order.push("b"), 2),
      c: async () => (order.push("c"), 3),
    });
    expect(samples).toEqual({ a: [1, 1, 1], b: [2, 2, 2], c: [3, 3, 3] });
    expect(order).toEqual(["a", "b", "c", "b", "c", "a", "c", "a", "b"]);
  });

  it("repeats a whole measurement and gathers each key's samples", async () => {
    const samples = await repeat(3, async (run: number) => ({ stint: run, peer: run * 10 }));
    expect(samples).toEqual({ stint: [0, 1, 2], peer: [0, 10, 20] });
  });
});
