import { describe, expect, it } from "vitest";
import { canStartPlayback, locateSegment, nextLoads, totalDuration, type SegmentLoad } from "./progressive-audio.ts";

const segments = Array.from({ length: 8 }, (_, i) => ({ t: i * 30_000, durationMs: 30_000 }));
const loads = (...states: SegmentLoad[]): SegmentLoad[] => [...states, ...Array<SegmentLoad>(8 - states.length).fill("idle")];

describe("progressive audio", () => {
  it("fetches the first three segments before play, all at once", () => {
    expect(nextLoads({ segments, loads: loads(), current: 0 })).toEqual([0, 1, 2]);
    expect(canStartPlayback({ segments, loads: loads("loaded", "loaded", "loading"), current: 0 })).toBe(false);
    expect(nextLoads({ segments, loads: loads("loaded", "loaded", "loading"), current: 0 })).toEqual([]);
  });

  it("then fetches the rest two at a time, nearest the play head first", () => {
    const ready = loads("loaded", "loaded", "loaded");
    expect(canStartPlayback({ segments, loads: ready, current: 0 })).toBe(true);
    expect(nextLoads({ segments, loads: ready, current: 0 })).toEqual([3, 4]);
    expect(nextLoads({ segments, loads: loads("loaded", "loaded", "loaded", "loading"), current: 0 })).toEqual([4]);
    expect(nextLoads({ segments, loads: loads("loaded", "loaded", "loaded", "loading", "loading"), current: 0 })).toEqual([]);
  });

  it("after a seek, loads from the new play head and wraps to earlier segments last", () => {
    expect(nextLoads({ segments, loads: loads("loaded", "loaded", "loaded"), current: 6 })).toEqual([6, 7]);
    const all = loads("idle", "idle", "idle", "idle", "idle", "idle", "loaded", "loaded");
    expect(nextLoads({ segments, loads: all, current: 6 })).toEqual([0, 1]);
  });

  it("does not refetch failed segments and handles an empty list", () => {
    expect(nextLoads({ segments, loads: loads("failed"), current: 0 })).toEqual([1, 2]);
    expect(nextLoads({ segments: [], loads: [], current: 0 })).toEqual([]);
    expect(canStartPlayback({ segments: [], loads: [], current: 0 })).toBe(false);
  });

  it("locates a time in its segment", () => {
    expect(locateSegment(segments, 0)).toEqual({ index: 0, offsetMs: 0 });
    expect(locateSegment(segments, 95_000)).toEqual({ index: 3, offsetMs: 5_000 });
    expect(locateSegment(segments, 10_000_000)).toEqual({ index: 7, offsetMs: 30_000 });
    expect(locateSegment([], 5)).toBeUndefined();
    expect(totalDuration(segments)).toBe(240_000);
  });
});
