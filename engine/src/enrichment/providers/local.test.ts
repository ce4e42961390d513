import { describe, expect, it } from "vitest";
import type { TimelineContext } from "./port.ts";
import { countOf, localChapters, localSummary, spokenDuration } from "./local.ts";

const base: TimelineContext = {
  sessionName: "Short one",
  durationMs: 18_000,
  screenshots: [
    { ref: "0", t: 0, activity: "", application: "", details: "" },
    { ref: "1", t: 5_000, activity: "", application: "", details: "" },
  ],
  transcript: [],
  markers: [{ ref: "m1", t: 9_000, label: "" }],
};

describe("local provider wording", () => {
  it("counts and durations read as a person would write them", () => {
    expect(countOf(1, "marker")).toBe("1 marker");
    expect(countOf(0, "screen change")).toBe("0 screen changes");
    expect(spokenDuration(18_000)).toBe("18 seconds");
    expect(spokenDuration(61_000)).toBe("1 minute");
    expect(spokenDuration(125 * 60_000)).toBe("2 hours 5 minutes");
    expect(spokenDuration(3_600_000)).toBe("1 hour");
  });

  it("a summary without speech says what was captured, over how long", () => {
    const summary = localSummary({ ...base, chapters: localChapters(base) });
    expect(summary.summary).toMatch(/^2 screenshots and 1 marker over 18 seconds[,.]/);
    expect(summary.summary).not.toMatch(/\b0 minutes\b|1 markers/);
  });

  it("a chapter never has an empty title, even at a marker without a note", () => {
    const chapters = localChapters({ ...base, durationMs: 40 * 60_000, markers: [{ ref: "m1", t: 0, label: "  " }] });
    expect(chapters.length).toBeGreaterThan(0);
    for (const chapter of chapters) expect(chapter.title.trim()).not.toBe("");
    const named = localChapters({ ...base, markers: [{ ref: "m1", t: 0, label: "Deploy" }] });
    expect(named[0]?.title).toBe("Deploy");
  });
});
