import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM bench module without types
import { chartSvg } from "./_chart.mjs";
// @ts-expect-error plain ESM bench module without types
import { chartPath, compareReports, fmt, formatComparison, formatTable, markdown, ratio, withSpread } from "./_report.mjs";

const append = { name: "storage.append_durable_per_s", unit: "items/s", better: "higher", value: 200, min: 180, max: 220, runs: 5, goal: 250, met: false, goalRule: "≥ 1× sqlite", peers: { sqlite: { value: 250, min: 240, max: 260, runs: 5 } } };
const list = { name: "storage.list_10k_ms", unit: "ms", better: "lower", value: 12, min: 11, max: 14, runs: 5, goal: 20, met: true, peers: {}, secondary: true };

describe("bench table", () => {
  it("formats values to three significant digits", () => {
    expect(fmt(1234.5)).toBe("1235");
    expect(fmt(12.345)).toBe("12.3");
    expect(fmt(1.2345)).toBe("1.23");
    expect(fmt(0.012345)).toBe("0.0123");
    expect(fmt(Number.NaN)).toBe("–");
  });

  it("prints value, spread, goal and each peer with its ratio; secondary figures last", () => {
    const table = formatTable([list, append]);
    const lines = table.split("\n");
    expect(lines[1]).toContain("storage.append_durable_per_s");
    expect(lines[1]).toContain("200 [180–220]");
    expect(lines[1]).toContain("≥ 1× sqlite (250)");
    expect(lines[1]).toContain("NO");
    expect(lines[1]).toContain("sqlite 250 [240–260] (×0.80)");
    expect(lines[2]).toMatch(/^ {2}storage\.list_10k_ms/);
    expect(withSpread({ value: 3, min: 3, max: 3, runs: 1 })).toBe("3");
    expect(ratio(append, { value: 0 })).toBeNaN();
  });

  it("reads older reports whose peers are bare numbers", () => {
    expect(formatTable([{ ...append, peers: { sqlite: 100 } }])).toContain("sqlite 100 (×2.00)");
  });
});

describe("bench compare", () => {
  const previous = { results: [append, { ...list, name: "gone.figure" }, { name: "x.old", unit: "ms", better: "lower", value: 10 }] };

  it("flags a move only when both medians lie outside the other run's spread", () => {
    const rows = compareReports(previous, {
      results: [
        { ...append, value: 150, min: 140, max: 160 },
        { name: "new.figure", unit: "ms", better: "lower", value: 1, min: 1, max: 1, runs: 5 },
        { name: "x.old", unit: "ms", better: "lower", value: 8, min: 7, max: 9, runs: 5 },
      ],
    });
    expect(rows.find((r: { name: string }) => r.name === "storage.append_durable_per_s")).toMatchObject({ status: "worse", previous: 200, current: 150, change: -0.25 });
    expect(rows.find((r: { name: string }) => r.name === "new.figure")?.status).toBe("new");
    expect(rows.find((r: { name: string }) => r.name === "gone.figure")?.status).toBe("gone");
    // The earlier run kept no spread: judged by this run's (10 lies outside 7–9), and lower is better.
    expect(rows.find((r: { name: string }) => r.name === "x.old")?.status).toBe("better");
  });

  it("does not flag a move inside the spread", () => {
    const rows = compareReports(previous, { results: [{ ...append, value: 210, min: 170, max: 230 }] });
    expect(rows[0]).toMatchObject({ status: "within spread" });
    expect(rows[0].change).toBeCloseTo(0.05);
    expect(formatComparison(rows)).toMatch(/storage\.append_durable_per_s\s+200\s+210\s+items\/s\s+\+5\.0%\s+within spread/);
  });

  it("names a worse move beyond the spread in capitals", () => {
    expect(formatComparison(compareReports(previous, { results: [{ ...append, value: 100, min: 90, max: 110 }] }))).toContain("WORSE (beyond spread)");
  });
});

describe("bench docs", () => {
  it("draws the product and every peer with whiskers and the goal", () => {
    const svg = chartSvg(append);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain(">stint<");
    expect(svg).toContain(">sqlite<");
    expect(svg.match(/<rect /g)).toHaveLength(3); // background + two bars
    expect(svg.match(/stroke="#1a202c"/g)).toHaveLength(2); // a whisker per contender
    expect(svg).toContain("goal 250");
    // The scale runs to the largest max (260): the peer's bar is 250/260 of the bar area.
    expect(svg).toMatch(/width="221\.2"/);
  });

  it("escapes names and draws a figure without peers or goal", () => {
    const svg = chartSvg({ name: "a<b", unit: "ms", better: "lower", value: 5, min: 5, max: 5, runs: 1, peers: { "x&y": { value: 2 } } });
    expect(svg).toContain("a&lt;b");
    expect(svg).toContain("x&amp;y");
    expect(svg).not.toContain("goal");
  });

  it("writes the table and a chart link per figure", () => {
    const md = markdown({ at: "2026-01-01T00:00:00.000Z", machine: "test machine", results: [append, list] });
    expect(md).toContain("| storage.append_durable_per_s | 200 [180–220] |");
    expect(md).toContain("| ↳ storage.list_10k_ms |");
    expect(md).toContain(`![storage.list_10k_ms](${chartPath("storage.list_10k_ms")})`);
    expect(chartPath("a/b c")).toBe("benchmarks/a_b_c.svg");
  });
});
