import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeWindow, scrollOffsetForIndex, windowIndexes } from "./window-math.ts";

describe("computeWindow", () => {
  it("renders the visible rows plus overscan on each side", () => {
    const range = computeWindow({ count: 10_000, rowHeight: 40, scrollTop: 4_000, viewportHeight: 400, overscan: 5 });
    expect(range.visibleStart).toBe(100);
    expect(range.visibleEnd).toBe(110);
    expect(range.start).toBe(95);
    expect(range.end).toBe(115);
    expect(range.offsetTop).toBe(95 * 40);
    expect(range.totalHeight).toBe(400_000);
  });

  it("clamps at the top, the bottom and past the end", () => {
    expect(computeWindow({ count: 100, rowHeight: 10, scrollTop: -50, viewportHeight: 50, overscan: 5 })).toMatchObject({ start: 0, end: 10 });
    expect(computeWindow({ count: 100, rowHeight: 10, scrollTop: 99_999, viewportHeight: 50, overscan: 5 })).toMatchObject({ start: 90, end: 100, visibleStart: 95 });
    expect(computeWindow({ count: 0, rowHeight: 10, scrollTop: 0, viewportHeight: 50, overscan: 5 })).toMatchObject({ start: 0, end: 0, totalHeight: 0 });
    expect(computeWindow({ count: 3, rowHeight: 10, scrollTop: 0, viewportHeight: 500, overscan: 5 })).toMatchObject({ start: 0, end: 3 });
  });

  it("always covers the viewport and renders a bounded number of rows", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50_000 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 20 }), (count, rowHeight, scrollTop, viewportHeight, overscan) => {
        const r = computeWindow({ count, rowHeight, scrollTop, viewportHeight, overscan });
        expect(r.start).toBeGreaterThanOrEqual(0);
        expect(r.end).toBeLessThanOrEqual(count);
        expect(r.start).toBeLessThanOrEqual(r.visibleStart);
        expect(r.visibleEnd).toBeLessThanOrEqual(r.end);
        const top = Math.min(scrollTop, Math.max(0, count * rowHeight - viewportHeight));
        expect(r.visibleStart * rowHeight).toBeLessThanOrEqual(top);
        expect(r.visibleEnd * rowHeight).toBeGreaterThanOrEqual(Math.min(count * rowHeight, top + viewportHeight));
        expect(r.end - r.start).toBeLessThanOrEqual(Math.ceil(viewportHeight / rowHeight) + 1 + 2 * overscan + 1);
      }),
    );
  });

  it("lists indexes and scroll offsets", () => {
    expect(windowIndexes({ start: 3, end: 6 })).toEqual([3, 4, 5]);
    expect(scrollOffsetForIndex(50, { count: 100, rowHeight: 10, viewportHeight: 100 })).toBe(490);
    expect(scrollOffsetForIndex(99, { count: 100, rowHeight: 10, viewportHeight: 100 })).toBe(900);
    expect(scrollOffsetForIndex(0, { count: 100, rowHeight: 10, viewportHeight: 100 })).toBe(0);
  });
});
