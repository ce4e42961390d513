import { describe, expect, it } from "vitest";
import type { OcrLine } from "../../host/index.ts";
import type { TimelineContext } from "./port.ts";
import { countOf, describeActivity, localChapters, localSummary, readScreen, spokenDuration } from "./local.ts";

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

const line = (text: string, y: number): OcrLine => ({ text, confidence: 0.9, box: { x: 10, y, width: 300, height: 14 } });

/** A timeline as OCR would give it: the same activities the simulated recorder draws. */
function screens(): TimelineContext {
  const shots: TimelineContext["screenshots"][number][] = [];
  const scenes = [
    ["Visual Studio Code File Edit View", "auth.ts - Visual Studio Code", "export function verifySession(token: string) {", "// TODO: rotate the signing key monthly"],
    ["Zoom File Edit View Window", "Sprint planning - Zoom Meeting", "Agenda: sprint planning", "2. Onboarding screens redesign"],
    ["Notes File Edit View", "notes.md - Notes", "Decided: ship the limiter on Monday", "TODO: follow up with the design team"],
  ];
  let t = 0;
  for (const [index, scene] of scenes.entries()) {
    for (let i = 0; i < 4; i++) {
      const reading = readScreen(scene.map((text, n) => line(text, n * 20)));
      shots.push({ ref: String(index * 4 + i), t, activity: reading.activity, application: reading.application, details: reading.body.join("\n") });
      t += 60_000;
    }
  }
  return { sessionName: "Morning", durationMs: t, screenshots: shots, transcript: [], markers: [], screenshotTotal: 30 };
}

describe("local provider wording", () => {
  it("counts and durations read as a person would write them", () => {
    expect(countOf(1, "marker")).toBe("1 marker");
    expect(countOf(2880, "screenshot")).toBe("2,880 screenshots");
    expect(spokenDuration(18_000)).toBe("18 seconds");
    expect(spokenDuration(61_000)).toBe("1 minute");
    expect(spokenDuration(125 * 60_000)).toBe("2 hours 5 minutes");
    expect(spokenDuration(3_600_000)).toBe("1 hour");
  });

  it("a summary without speech says what was captured, that nothing was said, and how it was made", () => {
    const summary = localSummary({ ...base, chapters: localChapters(base) });
    expect(summary.summary).toMatch(/^18 seconds of work with 2 screenshots and 1 marker/);
    expect(summary.summary).toContain("No speech transcribed.");
    expect(summary.summary).toContain("No tasks found.");
    expect(summary.summary).toMatch(/no language model was used/);
    expect(summary.summary).not.toMatch(/\b0 minutes\b|1 markers/);
  });

  it("a chapter never has an empty title nor a 'Part N' one, even at a marker without a note", () => {
    const chapters = localChapters({ ...base, durationMs: 40 * 60_000, markers: [{ ref: "m1", t: 0, label: "  " }] });
    expect(chapters.length).toBeGreaterThan(0);
    for (const chapter of chapters) expect(chapter.title.trim()).not.toMatch(/^$|^Part \d/);
    const named = localChapters({ ...base, markers: [{ ref: "m1", t: 0, label: "Deploy" }] });
    expect(named[0]?.title).toBe("Deploy");
  });
});

describe("local provider reading the screen", () => {
  it("finds the application in the menu bar and the document in the window title", () => {
    const reading = readScreen([line("auth.ts - Visual Studio Code", 30), line("Visual Studio Code   File   Edit   View", 2), line("export function verifySession() {", 60)]);
    expect(reading.application).toBe("Visual Studio Code");
    expect(reading.activity).toBe("Editing auth.ts in VS Code");
    expect(reading.body).toEqual(["export function verifySession() {"]);
    expect(describeActivity("Zoom", "Sprint planning")).toBe("Call: Sprint planning");
    expect(describeActivity("Safari", "Fix rate limiter")).toBe("Reading Fix rate limiter in Safari");
    const terminal = readScreen([line("Terminal File Edit View", 2), line("$ export OPENAI_API_KEY=sk-test-4f9aQ2LmZ8xY7wV6uT5s", 30), line("$ npm test", 60)]);
    expect(terminal.body[0]).toBe("$ export OPENAI_API_KEY=[secret]");
    expect(terminal.activity).toBe("Terminal: $ npm test");
  });

  it("chapters start where the activity changes and are named after it", () => {
    const context = screens();
    const chapters = localChapters(context);
    expect(chapters.map((c) => c.title)).toEqual(["Editing auth.ts in VS Code", "Call: Sprint planning", "Writing notes.md in Notes"]);
    expect(chapters.map((c) => c.tStart)).toEqual([0, 240_000, 480_000]);
    expect(chapters[2]!.tEnd).toBe(context.durationMs);
    for (const chapter of chapters) expect(chapter.evidence.every((e) => context.screenshots.some((s) => s.ref === e.ref))).toBe(true);
  });

  it("the summary's numbers are the session's, and tasks and notes come from the screen text", () => {
    const context = screens();
    const summary = localSummary({ ...context, chapters: localChapters(context) });
    expect(summary.summary).toMatch(/^12 minutes of work with 30 screenshots, in 3 chapters\./);
    expect(summary.summary).toContain("Most time went to editing auth.ts in VS Code (4 minutes)");
    expect(summary.tasks.map((t) => t.title)).toEqual(["rotate the signing key monthly", "follow up with the design team"]);
    expect(summary.tasks[1]!.evidence[0]).toMatchObject({ kind: "screenshot", ref: "8" });
    expect(summary.notes.map((n) => n.text)).toEqual(["Decided: ship the limiter on Monday"]);
  });

  it("a long session with rapid switching is folded into a readable number of chapters", () => {
    const context = screens();
    const many = { ...context, durationMs: 4 * 3_600_000, screenshots: Array.from({ length: 480 }, (_, i) => ({ ...context.screenshots[(i * 5) % 12]!, ref: String(i), t: i * 30_000 })) };
    const chapters = localChapters(many);
    expect(chapters.length).toBeLessThanOrEqual(40);
    expect(chapters.length).toBeGreaterThan(3);
    for (let i = 1; i < chapters.length; i++) expect(chapters[i]!.tStart).toBe(chapters[i - 1]!.tEnd);
  });
});
