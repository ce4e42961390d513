// Build-time plugin for the engine bundle: a dependency listed here is
// evaluated on its first call rather than when the bundle loads.
//
// esbuild hoists every module into the bundle's one top-level function, so a
// dependency's load-time work runs on the engine's cold start. fflate fills a
// 32,768-entry table and builds its Huffman maps at load; in JavaScriptCore
// (WebKitGTK 2.50, and the Mac's JSContext alike) that loop also made the
// engine tier its whole top-level function up to the baseline JIT. The engine
// only needs DEFLATE when it first reads or writes a PNG.
//
// Each listed dependency is bundled on its own (tree-shaken to the named
// exports) into a function that runs once, on the first call of any of them;
// the module the engine imports forwards each named export to it. The named
// exports must be functions: a name the engine imports but the list lacks
// fails the build.
import { build } from "esbuild";

const NAMESPACE = "lazy-dependency";

/** Source of the forwarding module for `specifier`, given its bundled code (an IIFE assigning `__lazyDependency`). */
export function forwardingModule(code, names) {
  const forwards = names.map((name) => `export function ${name}(...args) {\n  return load().${name}(...args);\n}`);
  return [`let loaded;`, `function load() {`, `  if (loaded === undefined) {`, code, `    loaded = __lazyDependency;`, `  }`, `  return loaded;`, `}`, ...forwards, ""].join("\n");
}

/** The esbuild plugin; `dependencies` maps a bare specifier to the function exports the engine uses. */
export function lazyDependenciesPlugin({ dependencies, resolveDir }) {
  const specifiers = Object.keys(dependencies);
  const filter = new RegExp(`^(${specifiers.map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|")})$`);
  return {
    name: "lazy-dependencies",
    setup(b) {
      b.onResolve({ filter }, (args) => (args.namespace === NAMESPACE ? undefined : { path: args.path, namespace: NAMESPACE }));
      b.onLoad({ filter: /.*/, namespace: NAMESPACE }, async (args) => {
        const names = dependencies[args.path];
        for (const name of names) if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new Error(`lazy dependency ${args.path}: ${name} is not an export name`);
        const result = await build({
          stdin: { contents: `export { ${names.join(", ")} } from ${JSON.stringify(args.path)};`, resolveDir, loader: "js" },
          bundle: true,
          write: false,
          format: "iife",
          globalName: "__lazyDependency",
          platform: b.initialOptions.platform,
          target: b.initialOptions.target,
          minify: b.initialOptions.minify,
          logLevel: "silent",
        });
        // `var __lazyDependency = (() => {…})();` is local to load(), so nothing leaks to the global object.
        return { contents: forwardingModule(result.outputFiles[0].text, names), loader: "js", resolveDir };
      });
    },
  };
}
