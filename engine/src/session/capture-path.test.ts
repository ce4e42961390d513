import { describe, expect, it } from "vitest";
import { captureArea, confineCapturePath } from "./capture-path.ts";

const id = "11111111-1111-4111-8111-111111111111";
const other = "22222222-2222-4222-8222-222222222222";

describe("confineCapturePath", () => {
  it("keeps a relative path inside the session's staging area", () => {
    expect(confineCapturePath(id, `capture/${id}/shot-0001.png`)).toBe(`capture/${id}/shot-0001.png`);
    expect(confineCapturePath(id, `capture/${id}/audio/seg-1.wav`)).toBe(`capture/${id}/audio/seg-1.wav`);
  });

  it("maps a native recorder's absolute path to its data-relative tail", () => {
    expect(confineCapturePath(id, `/Users/me/Library/Stint/capture/${id}/shot-0001.png`)).toBe(`capture/${id}/shot-0001.png`);
  });

  it.each([
    ["an absolute path elsewhere", "/home/me/.ssh/id_rsa"],
    ["a data-relative path outside the area", "sessions/x/metadata.json"],
    ["another session's area", `capture/${other}/shot.png`],
    ["the area itself", `capture/${id}`],
    ["a parent segment", `capture/${id}/../../sessions/x/metadata.json`],
    ["a parent segment before the area", `/tmp/../capture/${id}/x`],
    ["a dot segment", `capture/${id}/./x`],
    ["an empty segment", `capture/${id}//x`],
    ["a trailing slash", `capture/${id}/x/`],
    ["a control character", `capture/${id}/x\u001b[2J`],
    ["a backslash", `capture/${id}/..\\..\\x`],
    ["a leading slash without a prefix", `/capture`],
    ["a path too deep", `capture/${id}/a/b/c/d/e`],
    ["the area named without the root", `${id}/shot.png`],
  ])("refuses %s", (_label, path) => {
    expect(confineCapturePath(id, path)).toBeUndefined();
  });

  it("names the staging folder", () => {
    expect(captureArea(id)).toBe(`capture/${id}`);
  });
});
