import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM build script without types
import { ENGINE_LAZY_DEPENDENCIES, lazyDependenciesPlugin } from "./lazy-dependencies.mjs";

const root = join(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "stint-lazy-dep-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A dependency whose load is visible: it counts its evaluations on a scope the test hands in.
mkdirSync(join(work, "node_modules/load-probe"), { recursive: true });
writeFileSync(join(work, "node_modules/load-probe/package.json"), JSON.stringify({ name: "load-probe", version: "1.0.0", type: "module", main: "index.js" }));
// A repository module that puts the dependency behind functions, listed by its path.
mkdirSync(join(work, "src/providers"), { recursive: true });
writeFileSync(join(work, "src/providers/probe-sdk.ts"), "import { square } from 'load-probe';\nexport function fourth(n: number): number { return square(n) * square(n); }\n");
writeFileSync(join(work, "src/again.js"), "import { fourth } from './providers/probe-sdk';\nexport function again(n) { return fourth(n); }\n");
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

  it("evaluates a module listed by its path on first call, whatever folder imports it and with or without its extension", async () => {
    const result = await bundle(
      "import { fourth } from './src/providers/probe-sdk.ts'; import { again } from './src/again.js'; export const calls = { fourth, again };",
      { "./src/providers/probe-sdk.ts": ["fourth"] },
      work,
    );
    const code = result.outputFiles[0]!.text;
    const probeScope = { loads: 0 };
    const probe = new Function("probeScope", `${code}\nreturn probe;`)(probeScope) as { calls: { fourth(n: number): number; again(n: number): number } };
    expect(probeScope.loads).toBe(0);
    expect(probe.calls.again(2)).toBe(16);
    expect(probe.calls.fourth(3)).toBe(81);
    expect(probeScope.loads).toBe(1);
    // One copy of the dependency: both importers share the lazily built module.
    expect(code.split("probeScope.loads").length - 1).toBe(1);
  });

  it("the provider SDKs, as the engine lists them, build their clients through the forwarding modules", async () => {
    const result = await bundle(
      `import { createOpenAiClient, openAiErrorClasses } from './engine/src/enrichment/providers/openai-sdk.ts';
       import { createAnthropicClient, anthropicErrorClasses } from './engine/src/enrichment/providers/anthropic-sdk.ts';
       const fetch = async () => { throw new Error("no network"); };
       export const made = () => ({
         openai: createOpenAiClient({ apiKey: "k", baseURL: "http://127.0.0.1:9/v1", fetch, maxRetries: 0, dangerouslyAllowBrowser: true }),
         anthropic: createAnthropicClient({ apiKey: "k", baseURL: "http://127.0.0.1:9", fetch, maxRetries: 0, dangerouslyAllowBrowser: true }),
         errors: [openAiErrorClasses(), anthropicErrorClasses()],
       });`,
      ENGINE_LAZY_DEPENDENCIES,
      root,
    );
    const probe = new Function(`${result.outputFiles[0]!.text}\nreturn probe;`)() as { made(): { openai: { chat: { completions: { create: unknown } } }; anthropic: { messages: { create: unknown; batches: { create: unknown } } }; errors: Record<string, unknown>[] } };
    const made = probe.made();
    expect(typeof made.openai.chat.completions.create).toBe("function");
    expect(typeof made.anthropic.messages.create).toBe("function");
    expect(typeof made.anthropic.messages.batches.create).toBe("function");
    for (const classes of made.errors) expect(Object.values(classes).map((c) => typeof c)).toEqual(["function", "function", "function", "function"]);
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
