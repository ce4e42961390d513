// Build-time transform for the engine bundle: runs a dependency's top-level
// `for` loops inside a function of their own.
//
// esbuild hoists every module into the bundle's one top-level function. A loop
// there (fflate fills a 32,768-entry table at load) makes JavaScriptCore tier
// that whole function up to its baseline JIT, which compiled the entire bundle's
// top-level code and cost more than half of the engine's cold start (WebKitGTK
// 2.50 / JavaScriptCore; the Mac's JSContext tiers up the same way). Inside a
// small function the same loop tiers up only that function.

/**
 * Wraps each loop statement that starts at column 0 (`for (…) {…}` closed by a
 * `}` at column 0, or a one-line `for (…) statement;`) in `(() => {…})();`.
 * A `var` declared by the loop becomes the function's own, so the caller lists
 * the modules whose loop variables are used by nothing else. Returns the new
 * text and how many loops it wrapped.
 */
export function wrapTopLevelLoops(text) {
  const lines = text.split("\n");
  const out = [];
  let wrapped = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!/^for \(/.test(line)) {
      out.push(line);
      continue;
    }
    let end = i;
    if (line.trimEnd().endsWith("{")) {
      end = lines.indexOf("}", i + 1);
      if (end < 0) throw new Error(`top-level loop at line ${i + 1} has no closing brace at column 0`);
    } else if (!line.trimEnd().endsWith(";")) {
      end = i + 1;
      if (!(lines[end] ?? "").trimEnd().endsWith(";")) throw new Error(`top-level loop at line ${i + 1}: cannot find where its statement ends`);
    }
    out.push(`(() => {`, ...lines.slice(i, end + 1), `})();`);
    wrapped++;
    i = end;
  }
  return { text: out.join("\n"), wrapped };
}

/**
 * The esbuild plugin. `modules` maps a path suffix to the number of top-level
 * loops expected there: a dependency update that changes it fails the build
 * rather than silently bringing the cold-start cost back.
 */
export function topLevelLoopsPlugin({ modules, readFile }) {
  const entries = Object.entries(modules);
  return {
    name: "top-level-loops",
    setup(build) {
      build.onLoad({ filter: /[\\/]node_modules[\\/].*\.m?js$/ }, async (args) => {
        const path = args.path.replaceAll("\\", "/");
        const entry = entries.find(([suffix]) => path.endsWith(suffix));
        if (entry === undefined) return undefined;
        const { text, wrapped } = wrapTopLevelLoops(await readFile(args.path, "utf8"));
        if (wrapped !== entry[1]) throw new Error(`${entry[0]}: expected ${entry[1]} top-level loops, found ${wrapped}; review Scripts/top-level-loops.mjs`);
        return { contents: text, loader: "js" };
      });
    },
  };
}
