#!/usr/bin/env node
// Builds dist/engine.js (JavaScriptCore bundle), dist/cli.js (Node) and dist/webview-ui/.
import { build } from "esbuild";
import { mkdir, readFile, writeFile, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkEngineBundle } from "./bundle-check.mjs";
import { lazySchemasPlugin } from "./lazy-schemas.mjs";
import { ENGINE_LAZY_DEPENDENCIES, lazyDependenciesPlugin } from "./lazy-dependencies.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
const define = { __STINT_VERSION__: JSON.stringify(pkg.version) };
const started = performance.now();

// zod 4 shares its config and registry through globalThis (__zod_globalConfig,
// __zod_globalRegistry). The engine must install exactly one global, so those
// two live in a bundle-private scope object instead.
const zodPrivateGlobals = {
  name: "zod-private-globals",
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]core[\\/](core|registries)\.js$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      return { contents: `const __zodScope = {};\n${text.replaceAll("globalThis", "__zodScope")}`, loader: "js" };
    });
  },
};
const quiet = process.argv.includes("--quiet");

await rm(join(dist, "webview-ui/chunks"), { recursive: true, force: true });
await mkdir(join(dist, "webview-ui"), { recursive: true });

const engine = build({
  entryPoints: [join(root, "engine/src/main.ts")],
  outfile: join(dist, "engine.js"),
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "none",
  metafile: true,
  define,
  // Schemas are built on first use: eager zod construction dominated JavaScriptCore cold start.
  // DEFLATE and the provider SDKs are evaluated on first use, not at load (see lazy-dependencies.mjs).
  plugins: [zodPrivateGlobals, lazySchemasPlugin({ root, readFile }), lazyDependenciesPlugin({ dependencies: ENGINE_LAZY_DEPENDENCIES, resolveDir: root })],
  logLevel: "warning",
});

const cli = build({
  entryPoints: [join(root, "engine/node/main.ts")],
  outfile: join(dist, "cli.js"),
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  define,
  banner: { js: "#!/usr/bin/env node" },
  logLevel: "warning",
});

/** Lists app.js's static chunks in the page, so they load beside it instead of after it. */
function withModulePreloads(html, metafile) {
  const app = Object.entries(metafile?.outputs ?? {}).find(([path]) => path.endsWith("/app.js"));
  if (app === undefined) return html;
  const base = dirname(app[0]);
  const links = app[1].imports.filter((i) => i.kind === "import-statement").map((i) => `    <link rel="modulepreload" href="${i.path.slice(base.length + 1)}" />\n`);
  return html.replace(/(\s*<script type="module" src="app\.js"><\/script>)/, `\n${links.join("").trimEnd()}$1`);
}

const uiEntry = join(root, "webview-ui/src/main.tsx");
const ui = existsSync(uiEntry)
  ? build({
      entryPoints: [uiEntry],
      outdir: join(dist, "webview-ui"),
      entryNames: "app",
      // The in-page engine (?transport=local) is a chunk of its own, so the served panel neither downloads nor parses it.
      splitting: true,
      chunkNames: "chunks/[name]-[hash]",
      metafile: true,
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      minify: true,
      jsx: "automatic",
      jsxImportSource: "preact",
      loader: { ".css": "css" },
      define,
      logLevel: "warning",
    })
  : Promise.resolve(undefined);

const [engineResult, , uiResult] = await Promise.all([engine, cli, ui]);
const htmlSource = join(root, "webview-ui/index.html");
if (existsSync(htmlSource)) await writeFile(join(dist, "webview-ui/index.html"), withModulePreloads(await readFile(htmlSource, "utf8"), uiResult?.metafile));
await writeFile(join(dist, "engine.meta.json"), JSON.stringify(engineResult.metafile));

const report = await checkEngineBundle(join(dist, "engine.js"), engineResult.metafile);
const ms = Math.round(performance.now() - started);
if (!quiet || !report.ok) {
  console.log(`engine.js ${report.kb.toFixed(1)} KB minified, ${report.gzipKb.toFixed(1)} KB gzip; build ${ms} ms`);
}
if (!report.ok) {
  for (const problem of report.problems) console.error(`bundle check: ${problem}`);
  await rm(join(dist, "engine.js"), { force: true });
  process.exit(1);
}
