// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { shortcutFor } from "./recording-controls.tsx";

function key(k: string, target: Element = document.body, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new KeyboardEvent("keydown", { key: k, ...init });
  Object.defineProperty(event, "target", { value: target });
  return event;
}

describe("recording shortcuts", () => {
  it("maps R, P, E and M, ignoring typing and modifier chords", () => {
    expect(["r", "P", "e", "m", "x"].map((k) => shortcutFor(key(k)))).toEqual(["start", "pause", "end", "marker", undefined]);
    const input = document.createElement("input");
    expect(shortcutFor(key("r", input))).toBeUndefined();
    expect(shortcutFor(key("r", document.body, { metaKey: true }))).toBeUndefined();
    expect(shortcutFor(key("p", document.body, { ctrlKey: true }))).toBeUndefined();
  });
});
