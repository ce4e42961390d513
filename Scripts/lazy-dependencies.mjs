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
//
// A dependency is a bare specifier (`fflate`) or a module of the repository
// given by its path from `resolveDir` (`./engine/src/…/openai-sdk.ts`): a
// small module that puts a large library behind functions. Such a module is
// bundled without the engine, so it must import nothing of the engine's but
// types (its own copy of an engine module would be a second, separate one).
import { build } from "esbuild";
import { basename, extname, resolve } from "node:path";

const NAMESPACE = "lazy-dependency";

/**
 * The engine bundle's lazy dependencies, each with the function exports the engine calls:
 * DEFLATE's tables are built on the first PNG read or written, and the provider SDKs (a third
 * of the bundle) evaluated when the first provider client is created.
 */
export const ENGINE_LAZY_DEPENDENCIES = {
  fflate: ["deflateSync", "inflateSync", "unzlibSync", "zlibSync"],
  "./engine/src/enrichment/providers/anthropic-sdk.ts": ["createAnthropicClient", "anthropicErrorClasses"],
  "./engine/src/enrichment/providers/openai-sdk.ts": ["createOpenAiClient", "openAiErrorClasses", "openAiFile"],
};

/** Source of the forwarding module for `specifier`, given its bundled code (an IIFE assigning `__lazyDependency`). */
export function forwardingModule(code, names) {
  const forwards = names.map((name) => `export function ${name}(...args) {\n  return load().${name}(...args);\n}`);
  return [`let loaded;`, `function load() {`, `  if (loaded === undefined) {`, code, `    loaded = __lazyDependency;`, `  }`, `  return loaded;`, `}`, ...forwards, ""].join("\n");
}

/** The esbuild plugin; `dependencies` maps a bare specifier or a `./` module path to the function exports the engine uses. */
export function lazyDependenciesPlugin({ dependencies, resolveDir }) {
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const specifiers = Object.keys(dependencies).filter((key) => !key.startsWith("./"));
  // Repository modules by absolute path without extension (imports name them with or without `.ts`).
  const modules = new Map(
    Object.keys(dependencies)
      .filter((key) => key.startsWith("./"))
      .map((key) => [resolve(resolveDir, key).slice(0, -extname(key).length || undefined), key]),
  );
  const bare = new RegExp(`^(${specifiers.map(escape).join("|")})$`);
  const byName = new RegExp(`(^|/)(${[...modules.values()].map((key) => escape(basename(key, extname(key)))).join("|")})(\\.[jt]s)?$`);
  return {
    name: "lazy-dependencies",
    setup(b) {
      if (specifiers.length > 0) b.onResolve({ filter: bare }, (args) => (args.namespace === NAMESPACE ? undefined : { path: args.path, namespace: NAMESPACE }));
      if (modules.size > 0) {
        b.onResolve({ filter: byName }, (args) => {
          if (args.namespace === NAMESPACE || args.resolveDir === "") return undefined;
          const absolute = resolve(args.resolveDir, args.path);
          const key = modules.get(absolute.slice(0, -extname(absolute).length || undefined));
          return key === undefined ? undefined : { path: key, namespace: NAMESPACE };
        });
      }
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
