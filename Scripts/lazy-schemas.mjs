// Build-time transform for the engine bundle: wraps top-level zod schema
// constants (`const XSchema = z.…;`, `const Y = XSchema.extend(…);`) in
// lazySchema(() => …), so they are built on first use rather than at load.
// Source files are untouched; tests from source run the eager schemas.

const DECLARATION = /^(export\s+)?const\s+([A-Za-z_$][\w$]*)(\s*:[^=\n]+)?\s*=\s*(?=z\s*\.|[A-Za-z_$][\w$]*Schema\s*[.(])/gm;
const REGEX_PRECEDERS = new Set(["(", ",", "=", ":", "[", "!", "&", "|", "?", "{", "}", ";", "\n", "+", "-", "*", "%", "<", ">", "~", "^"]);

/**
 * Index just past the `;` that ends the expression starting at `start`, or -1
 * when it cannot tell. With `argument`, the expression is a call's argument and
 * ends at the `,` or `)` that closes it instead.
 */
export function findExpressionEnd(text, start, { argument = false } = {}) {
  const stack = [];
  let lastSignificant = "=";
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      const end = text.indexOf("\n", i);
      if (end < 0) return -1;
      i = end - 1;
      continue;
    }
    if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) return -1;
      i = end + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === "\\") i++;
        if (text[i] === "\n") return -1;
        i++;
      }
      if (i >= text.length) return -1;
      lastSignificant = c;
      continue;
    }
    if (c === "`") {
      stack.push("`");
      lastSignificant = c;
      // Scan template text until its end or a ${ substitution.
      i = scanTemplate(text, i + 1, stack);
      if (i < 0) return -1;
      continue;
    }
    if (c === "/" && REGEX_PRECEDERS.has(lastSignificant)) {
      let inClass = false;
      i++;
      for (; i < text.length; i++) {
        const r = text[i];
        if (r === "\\") { i++; continue; }
        if (r === "\n") return -1;
        if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
      }
      while (/[a-z]/i.test(text[i + 1] ?? "")) i++;
      lastSignificant = "/";
      continue;
    }
    if (argument && stack.length === 0 && (c === "," || c === ")")) return i + 1;
    if (argument && stack.length === 0 && c === ";") return -1;
    if (c === "(" || c === "[" || c === "{") stack.push(c);
    else if (c === ")" || c === "]") stack.pop();
    else if (c === "}") {
      const top = stack.pop();
      if (top === "${") {
        i = scanTemplate(text, i + 1, stack);
        if (i < 0) return -1;
        continue;
      }
    } else if (c === ";" && stack.length === 0 && !argument) return i + 1;
    if (!/\s/.test(c)) lastSignificant = c;
    else if (c === "\n") lastSignificant = lastSignificant === "=" ? "=" : lastSignificant;
  }
  return -1;
}

// Scans template literal text from `i`; returns the index of its closing backtick (popping it)
// or of the `{` of a substitution (pushing "${"). -1 on EOF.
function scanTemplate(text, i, stack) {
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") { i++; continue; }
    if (c === "`") { stack.pop(); return i; }
    if (c === "$" && text[i + 1] === "{") { stack.push("${"); return i + 1; }
  }
  return -1;
}

/** Wraps every top-level schema constant; returns the new text and how many it wrapped. */
export function transformLazySchemas(text, helperImport) {
  let out = "";
  let cursor = 0;
  let wrapped = 0;
  DECLARATION.lastIndex = 0;
  for (let match = DECLARATION.exec(text); match !== null; match = DECLARATION.exec(text)) {
    const exprStart = match.index + match[0].length;
    if (exprStart < cursor) continue;
    const end = findExpressionEnd(text, exprStart);
    if (end < 0) continue;
    const expression = text.slice(exprStart, end - 1);
    out += `${text.slice(cursor, exprStart)}__lazySchema(() => (${expression}));`;
    cursor = end;
    DECLARATION.lastIndex = end;
    wrapped++;
  }
  out += text.slice(cursor);
  // Inline params schemas of bridge methods (`defineMethod(z.object(…), handler)`) are built when
  // a feature is created, on the start path; they too wait for the method's first call.
  const inline = wrapMethodParams(out);
  wrapped += inline.wrapped;
  if (wrapped === 0) return { text, wrapped };
  return { text: `import { lazySchema as __lazySchema } from ${JSON.stringify(helperImport)};\n${inline.text}`, wrapped };
}

const METHOD_PARAMS = /\bdefineMethod\(\s*(?=z\s*\.)/g;

/** Wraps each `defineMethod(z.…, …)`'s first argument; returns the new text and how many it wrapped. */
export function wrapMethodParams(text) {
  let out = "";
  let cursor = 0;
  let wrapped = 0;
  METHOD_PARAMS.lastIndex = 0;
  for (let match = METHOD_PARAMS.exec(text); match !== null; match = METHOD_PARAMS.exec(text)) {
    const argStart = match.index + match[0].length;
    const end = findExpressionEnd(text, argStart, { argument: true });
    if (end < 0) continue;
    out += `${text.slice(cursor, argStart)}__lazySchema(() => (${text.slice(argStart, end - 1)}))`;
    cursor = end - 1;
    METHOD_PARAMS.lastIndex = argStart;
    wrapped++;
  }
  return { text: out + text.slice(cursor), wrapped };
}

/** The esbuild plugin. */
export function lazySchemasPlugin({ root, readFile }) {
  const helper = `${root}/engine/src/engine/lazy-schema.ts`;
  return {
    name: "lazy-schemas",
    setup(build) {
      build.onLoad({ filter: /[\\/]engine[\\/]src[\\/].*\.ts$/ }, async (args) => {
        if (args.path.endsWith("lazy-schema.ts") || /\.(test|contract)\.ts$/.test(args.path)) return undefined;
        const source = await readFile(args.path, "utf8");
        const { text, wrapped } = transformLazySchemas(source, helper);
        return wrapped === 0 ? undefined : { contents: text, loader: "ts" };
      });
    },
  };
}
