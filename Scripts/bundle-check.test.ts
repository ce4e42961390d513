import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM build script without types
import { checkEngineBundle, LIMIT_KB } from "./bundle-check.mjs";

const dir = mkdtempSync(join(tmpdir(), "stint-bundle-check-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function check(name: string, source: string): Promise<{ ok: boolean; problems: string[] }> {
  const entry = join(dir, `${name}.js`);
  writeFileSync(entry, source);
  const outfile = join(dir, `${name}.out.js`);
  const result = await build({ entryPoints: [entry], bundle: true, format: "iife", platform: "browser", outfile, metafile: true, external: ["node:*"], nodePaths: [join(import.meta.dirname, "../node_modules")], logLevel: "silent" });
  return checkEngineBundle(outfile, result.metafile);
}

describe("engine bundle check", () => {
  it("accepts a bundle that installs only StintEngine and touches nothing at load", async () => {
    const result = await check("good", 'const msg = "needs import(\'node:buffer\').File"; globalThis.StintEngine = { start() { return setTimeout; }, msg };');
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("fails a bundle that imports a node: module", async () => {
    const result = await check("node-import", 'import { readFileSync } from "node:fs"; globalThis.StintEngine = { readFileSync };');
    expect(result.ok).toBe(false);
    expect(result.problems.join("\n")).toMatch(/imports node:fs/);
  });

  it("fails a bundle that calls a forbidden global at load", async () => {
    for (const [name, code] of [
      ["timer", "setTimeout(() => {}, 1);"],
      ["now", "const t = Date.now();"],
      ["random", "const r = Math.random();"],
      ["process", "const e = process.env;"],
      ["fetch", 'fetch("http://x");'],
    ] as const) {
      const result = await check(`forbidden-${name}`, `${code} globalThis.StintEngine = {};`);
      expect(result.ok, name).toBe(false);
      expect(result.problems.join("\n"), name).toMatch(/touches forbidden globals at load/);
    }
  });

  it("fails a bundle that installs another global", async () => {
    const result = await check("extra-global", "globalThis.StintEngine = {}; globalThis.helper = 1;");
    expect(result.problems.join("\n")).toMatch(/exactly one global, StintEngine; it installed: .*helper/);
  });

  it("fails a bundle that evaluates a lazily loaded package at load", async () => {
    const result = await check("eager-sdk", 'import { strToU8 } from "fflate"; globalThis.StintEngine = { strToU8 };');
    expect(result.ok).toBe(false);
    expect(result.problems.join("\n")).toMatch(/node_modules\/fflate\/.* is evaluated at load: fflate must be reached only through its lazy dependency module/);
  });

  it("fails a bundle over the size limit", async () => {
    const result = await check("big", `globalThis.StintEngine = { blob: "${"x".repeat((LIMIT_KB + 4) * 1024)}" };`);
    expect(result.problems.join("\n")).toContain(`the limit is ${LIMIT_KB} KB`);
  });
});
