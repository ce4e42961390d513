import { describe, expect, it } from "vitest";
import type { TimelineItem } from "../../../engine/src/review/models.ts";
import { buildRows, NO_FILTER, rowOfItem } from "./timeline-rows.ts";

const shot = (t: number, isDuplicate = false): TimelineItem => ({ kind: "screenshot", id: `s${t}`, t, isDuplicate });
const items: TimelineItem[] = [
  { kind: "chapter", id: "c0", t: 0, tEnd: 100_000, title: "Start" },
  shot(0),
  shot(5_000, true),
  shot(10_000, true),
  shot(15_000, true),
  { kind: "transcript", id: "a0", t: 16_000, tEnd: 20_000, text: "hello" },
  shot(20_000, true),
  shot(25_000),
  { kind: "marker", id: "m0", t: 26_000, label: "here" },
  shot(30_000, true),
  shot(35_000, true),
];

describe("timeline rows", () => {
  it("folds runs of unchanged screenshots, leaves single ones, and expands a run on request", () => {
    const rows = buildRows(items, NO_FILTER, new Set());
    expect(rows).toEqual([
      { kind: "item", index: 0 },
      { kind: "item", index: 1 },
      { kind: "run", start: 2, end: 5, t: 5_000, tEnd: 15_000 },
      { kind: "item", index: 5 },
      { kind: "item", index: 6 },
      { kind: "item", index: 7 },
      { kind: "item", index: 8 },
      { kind: "run", start: 9, end: 11, t: 30_000, tEnd: 35_000 },
    ]);
    const open = buildRows(items, NO_FILTER, new Set([2]));
    expect(open.slice(2, 5)).toEqual([2, 3, 4].map((index) => ({ kind: "item", index })));
    expect(open).toHaveLength(10);
  });

  it("filters by kind; screen changes leave out unchanged screenshots", () => {
    const kinds = (filter: Parameters<typeof buildRows>[1]) => buildRows(items, filter, new Set()).map((row) => (row.kind === "item" ? items[row.index]!.id : "run"));
    expect(kinds({ ...NO_FILTER, chapters: true, markers: true })).toEqual(["c0", "m0"]);
    expect(kinds({ ...NO_FILTER, speech: true })).toEqual(["a0"]);
    expect(kinds({ ...NO_FILTER, screen: true })).toEqual(["s0", "s25000"]);
  });

  it("finds the row for an item, inside a folded run or filtered out", () => {
    const rows = buildRows(items, NO_FILTER, new Set());
    expect(rowOfItem(rows, 3)).toBe(2);
    expect(rowOfItem(rows, 5)).toBe(3);
    expect(rowOfItem(rows, 10)).toBe(7);
    const chaptersOnly = buildRows(items, { ...NO_FILTER, markers: true }, new Set());
    expect(rowOfItem(chaptersOnly, 3)).toBe(-1);
    expect(rowOfItem(chaptersOnly, 9)).toBe(0);
  });
});
