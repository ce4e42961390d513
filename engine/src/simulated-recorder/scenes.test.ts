import { describe, expect, it } from "vitest";
import { renderFrame } from "./frames.ts";
import { ACTIVITIES, sceneContent } from "./scenes.ts";

describe("simulated scenes", () => {
  it("cycle through the activities, with a fake key in the terminal every other pass", () => {
    const terminal = ACTIVITIES.findIndex((a) => a.application === "Terminal");
    const first = sceneContent(terminal);
    const second = sceneContent(terminal + ACTIVITIES.length);
    const third = sceneContent(terminal + 2 * ACTIVITIES.length);
    expect(first.secret).toMatch(/^sk-test-[A-Za-z0-9]{32}$/);
    expect(first.lines[0]).toContain(first.secret);
    expect(second.secret).toBeUndefined();
    expect(third.secret).toMatch(/^sk-test-/);
    expect(third.secret).not.toBe(first.secret);
    expect(sceneContent(1).windowTitle).toBe(ACTIVITIES[1]!.windowTitle);
  });

  it("draw the window's text: frames of the same scene match, frames of different text differ where the text is", () => {
    const a = renderFrame({ scene: 0, variant: 0 }, 640, 400);
    expect(renderFrame({ scene: 0, variant: 1 }, 640, 400)).toEqual(a);
    // Scene 6 has the same activity as scene 0 but another layout; both show the menu bar text.
    const menuRow = (frame: Uint8Array) => frame.subarray(0, 640 * 3 * 24);
    const inkPixels = (row: Uint8Array) => row.filter((v, i) => i % 3 === 0 && v < 60).length;
    expect(inkPixels(menuRow(a))).toBeGreaterThan(200);
    expect(menuRow(renderFrame({ scene: 1, variant: 0 }, 640, 400))).not.toEqual(menuRow(a));
  });
});
