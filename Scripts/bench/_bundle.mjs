// Shared by the bench modules (the runner skips files starting with "_"): bundles
// a few engine exports from TypeScript source for Node and imports the result.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

/** `exports` is ES module source re-exporting from paths relative to the repository root. */
export async function bundleForBench(root, name, exports) {
  const out = join(root, ".bench", `${name}-bench.mjs`);
  mkdirSync(join(root, ".bench"), { recursive: true });
  await build({
    stdin: { contents: exports, resolveDir: root, loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile: out,
    logLevel: "error",
  });
  return import(`${pathToFileURL(out).href}?t=${Date.now()}`);
}
