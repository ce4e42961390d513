import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM build script without types
import { lazyDependenciesPlugin } from "./lazy-dependencies.mjs";

const root = join(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "stint-lazy-dep-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A dependency whose load is visible: it counts its evaluations on a scope the test hands in.
mkdirSync(join(work, "node_modules/load-probe"), { recursive: true });
writeFileSync(join(work, "node_modules/load-probe/package.json"), JSON.stringify({ name: "load-probe", version: "1.0.0", type: "module", main: "index.js" }));
writeFileSync(join(work, "node_modules/load-probe/index.js"), "probeScope.loads += 1;\nconst table = [];\nfor (let i = 0; i < 8; i++) table.push(i * i);\nexport function square(n) { return table[n]; }\nexport function sum(a, b) { return a + b; }\nexport function unused() { return 'unused'; }\n");

function bundle(entry: string, dependencies: Record<string, string[]>, resolveDir: string) {
  return build({
    stdin: { contents: entry, resolveDir, loader: "js" },
    bundle: true,
    write: false,
    format: "iife",
    globalName: "probe",
    platform: "browser",
    target: "es2022",
    minify: true,
    logLevel: "silent",
    plugins: [lazyDependenciesPlugin({ dependencies, resolveDir })],
  });
}

describe("lazy dependencies", () => {
  it("evaluates a listed dependency on the first call of one of its exports, once", async () => {
    const result = await bundle("import { square, sum } from 'load-probe'; export const calls = { square, sum };", { "load-probe": ["square", "sum"] }, work);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toContain("unused");
    const probeScope = { loads: 0 };
    const probe = new Function("probeScope", `${code}\nreturn probe;`)(probeScope) as { calls: { square(n: number): number; sum(a: number, b: number): number } };
    expect(probeScope.loads).toBe(0);
    expect(probe.calls.square(3)).toBe(9);
    expect(probeScope.loads).toBe(1);
    expect(probe.calls.sum(2, 5)).toBe(7);
    expect(probe.calls.square(7)).toBe(49);
    expect(probeScope.loads).toBe(1);
  });

  it("fails the build when the engine imports a name the list lacks", async () => {
    await expect(bundle("import { square, unused } from 'load-probe'; export const x = [square, unused];", { "load-probe": ["square"] }, work)).rejects.toThrow(/unused/);
  });

  it("fflate, as the engine lists it, round-trips through the forwarding module", async () => {
    const result = await bundle(
      "import { deflateSync, inflateSync, unzlibSync, zlibSync } from 'fflate'; const bytes = new Uint8Array([1, 2, 3, 2, 1, 0, 255]); export const out = [inflateSync(deflateSync(bytes)), unzlibSync(zlibSync(bytes))];",
      { fflate: ["deflateSync", "inflateSync", "unzlibSync", "zlibSync"] },
      root,
    );
    const probe = new Function(`${result.outputFiles[0]!.text}\nreturn probe;`)() as { out: Uint8Array[] };
    expect(probe.out.map((bytes) => Array.from(bytes))).toEqual([
      [1, 2, 3, 2, 1, 0, 255],
      [1, 2, 3, 2, 1, 0, 255],
    ]);
  });
});
