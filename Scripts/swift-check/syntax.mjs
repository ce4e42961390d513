// Parses Swift sources with tree-sitter-swift and reports every syntax error.
//
// The grammar lags the language. The constructs below are valid Swift that it rejects;
// each is rewritten to an equal-length form the grammar accepts before parsing, so
// positions stay exact and a real error on the same line is still caught. Nothing else
// is ignored.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);

/** Known false positives of tree-sitter-swift 0.7.1, by construct. */
export const KNOWN_FALSE_POSITIVES = [
  {
    construct: "nonisolated(unsafe)",
    reason: "SE-0412 (Swift 5.10) modifier; the grammar knows only bare `nonisolated`.",
    pattern: /\bnonisolated\(unsafe\)/g,
    rewrite: (m) => "nonisolated" + " ".repeat(m.length - "nonisolated".length),
  },
  {
    construct: "typed throws `throws(E)`",
    reason: "SE-0413 (Swift 6) typed throws; the grammar expects `throws` without a type.",
    pattern: /\b(throws|rethrows)\((?:any\s+)?[A-Za-z_][\w.]*\)/g,
    rewrite: (m) => m.replace(/\(.*\)$/, (p) => " ".repeat(p.length)),
  },
  {
    construct: "`sending` parameter or result",
    reason: "SE-0430 (Swift 6) region-based isolation keyword, unknown to the grammar.",
    pattern: /(?<=[:>]\s*)sending\s+(?=[A-Z@(\[])/g,
    rewrite: (m) => " ".repeat(m.length),
  },
  {
    construct: "`consume x` operator",
    reason: "SE-0366 (Swift 5.9) ownership operator; the grammar parses `consume` as an identifier.",
    pattern: /\bconsume\s+(?=[a-z_]\w*\b)/g,
    rewrite: (m) => " ".repeat(m.length),
  },
  {
    construct: "`isolated deinit`",
    reason: "SE-0371 (Swift 6.1) isolated synchronous deinit; the grammar allows no modifier there.",
    pattern: /\bisolated\s+(?=deinit\b)/g,
    rewrite: (m) => " ".repeat(m.length),
  },
];

let parser;
function getParser() {
  if (!parser) {
    const Parser = require("tree-sitter");
    const Swift = require("tree-sitter-swift");
    parser = new Parser();
    parser.setLanguage(Swift);
  }
  return parser;
}

/** Masks comments and string literals so rewrites never touch them. Same length as the input. */
function maskCommentsAndStrings(source) {
  let out = "";
  let i = 0;
  const n = source.length;
  while (i < n) {
    const two = source.slice(i, i + 2);
    if (two === "//") {
      const end = source.indexOf("\n", i);
      const stop = end === -1 ? n : end;
      out += " ".repeat(stop - i);
      i = stop;
    } else if (two === "/*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? n : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (source.startsWith('"""', i)) {
      const end = source.indexOf('"""', i + 3);
      const stop = end === -1 ? n : end + 3;
      out += source.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (source[i] === '"') {
      let j = i + 1;
      while (j < n && source[j] !== '"' && source[j] !== "\n") j += source[j] === "\\" ? 2 : 1;
      const stop = Math.min(n, j + 1);
      out += " ".repeat(stop - i);
      i = stop;
    } else {
      out += source[i];
      i += 1;
    }
  }
  return out;
}

/** Applies the known rewrites outside comments and strings; returns the text and what was used. */
export function neutralizeKnownConstructs(source) {
  const masked = maskCommentsAndStrings(source);
  const chars = source.split("");
  const used = new Map();
  for (const entry of KNOWN_FALSE_POSITIVES) {
    entry.pattern.lastIndex = 0;
    for (const match of masked.matchAll(entry.pattern)) {
      const replacement = entry.rewrite(match[0]);
      if (replacement.length !== match[0].length) throw new Error(`rewrite for ${entry.construct} changed length`);
      for (let k = 0; k < replacement.length; k++) chars[match.index + k] = replacement[k];
      used.set(entry.construct, (used.get(entry.construct) ?? 0) + 1);
    }
  }
  return { text: chars.join(""), used };
}

function collectErrors(node, out) {
  if (node.type === "ERROR" || node.isMissing) {
    out.push(node);
    return;
  }
  if (!node.hasError) return;
  for (const child of node.children) collectErrors(child, out);
}

/**
 * Checks one Swift source text. Returns `{ errors: [{ line, column, kind, text }], used }`
 * where `used` counts the known constructs that were neutralized. `neutralize: false` parses
 * the text as is (to prove a listed construct really is a false positive of the grammar).
 */
export function checkSwiftSource(source, { neutralize = true } = {}) {
  const { text, used } = neutralize ? neutralizeKnownConstructs(source) : { text: source, used: new Map() };
  // tree-sitter's default buffer is 32 KiB; give it room for large files.
  const tree = getParser().parse(text, undefined, { bufferSize: Math.max(32 * 1024, text.length * 2 + 1024) });
  const nodes = [];
  collectErrors(tree.rootNode, nodes);
  const lines = source.split("\n");
  const errors = nodes.map((node) => ({
    line: node.startPosition.row + 1,
    column: node.startPosition.column + 1,
    kind: node.isMissing ? `missing ${node.type}` : "unexpected syntax",
    text: (lines[node.startPosition.row] ?? "").trim().slice(0, 120),
  }));
  return { errors, used };
}

/** Checks files on disk; returns one entry per file. */
export function checkSwiftFiles(paths) {
  return paths.map((path) => ({ path, ...checkSwiftSource(readFileSync(path, "utf8")) }));
}
