import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM build script without types
import { topLevelLoopsPlugin, wrapTopLevelLoops } from "./top-level-loops.mjs";

describe("top-level loop transform", () => {
  it("wraps block and one-line loops at column 0 and leaves nested ones", () => {
    const source = [
      "var table = new Uint16Array(4);",
      "for (var i = 0; i < 4; ++i) {",
      "    var x = i * 2;",
      "    table[i] = x;",
      "}",
      "var small = new Uint8Array(3);",
      "for (var i = 0; i < 3; ++i)",
      "    small[i] = 7;",
      "for (var j = 0; j < 1; ++j) small[j] = 1;",
      "function f(n) {",
      "    for (var k = 0; k < n; ++k) {",
      "    }",
      "}",
      "export { table, small, f };",
    ].join("\n");
    const { text, wrapped } = wrapTopLevelLoops(source);
    expect(wrapped).toBe(3);
    expect(text).toContain("(() => {\nfor (var i = 0; i < 4; ++i) {\n    var x = i * 2;\n    table[i] = x;\n}\n})();");
    expect(text).toContain("(() => {\nfor (var i = 0; i < 3; ++i)\n    small[i] = 7;\n})();");
    expect(text).toContain("(() => {\nfor (var j = 0; j < 1; ++j) small[j] = 1;\n})();");
    expect(text).toContain("    for (var k = 0; k < n; ++k) {");
    // The tables are filled exactly as before.
    const run = (code: string) => new Function(`${code.replace("export { table, small, f };", "")}\nreturn [Array.from(table), Array.from(small)];`)();
    expect(run(text)).toEqual(run(source));
  });

  it("refuses a loop whose end it cannot find", () => {
    expect(() => wrapTopLevelLoops("for (var i = 0; i < 2; ++i) {\n  go(i);\n  }")).toThrow(/closing brace/);
  });

  it("fails the build when a listed module's loop count changes, and fflate still round-trips through the plugin", async () => {
    const entry = "import { deflateSync, inflateSync } from 'fflate'; export const out = inflateSync(deflateSync(new Uint8Array([1, 2, 3, 2, 1, 0, 255])));";
    const bundle = (expected: number) =>
      build({
        stdin: { contents: entry, resolveDir: join(import.meta.dirname, ".."), loader: "js" },
        bundle: true,
        write: false,
        format: "iife",
        globalName: "probe",
        platform: "browser",
        logLevel: "silent",
        plugins: [topLevelLoopsPlugin({ modules: { "fflate/esm/browser.js": expected }, readFile })],
      });
    await expect(bundle(5)).rejects.toThrow(/expected 5 top-level loops, found 6/);
    const result = await bundle(6);
    const code = result.outputFiles[0]!.text;
    expect(code).toMatch(/\(\(\) => {\n\s*for \(var i = 0; i < 32768; \+\+i\) {/);
    const probe = new Function(`${code}\nreturn probe;`)() as { out: Uint8Array };
    expect(Array.from(probe.out)).toEqual([1, 2, 3, 2, 1, 0, 255]);
  });
});
