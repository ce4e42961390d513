// Reads facts out of the Swift sources: what the EngineHost installs, which bridge
// methods the shell sends, and the envelope codec's field names.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every `.swift` file under `dir`, sorted. */
export function listSwiftFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".swift")) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/** Removes comments and keeps strings, so commented-out installs do not count. */
export function stripSwiftComments(text) {
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("//", i)) {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (text[i] === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== "\n") j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

/**
 * What the Swift EngineHost installs on the host object, read from calls of the form
 *
 *     let files = root.capability("files")
 *     files.async("read") { … }
 *     root.sync("emit") { … }
 *
 * Returns `{ capabilities: Map<name, Set<fn>>, functions: Set<name>, values: Set<name>, sites }`.
 */
export function readInstalledHostPort(sources) {
  const capabilities = new Map();
  const functions = new Set();
  const values = new Set();
  const sites = [];
  for (const { path, text: raw } of sources) {
    const text = stripSwiftComments(raw);
    const bindings = [];
    const roots = new Set();
    for (const m of text.matchAll(/\blet\s+(\w+)\s*=\s*(\w+)\.capability\(\s*"(\w+)"\s*\)/g)) {
      bindings.push({ variable: m[1], capability: m[3], at: m.index });
      roots.add(m[2]);
      if (!capabilities.has(m[3])) capabilities.set(m[3], new Set());
    }
    for (const m of text.matchAll(/\b(\w+)\s*:\s*HostObjectBuilder\b/g)) roots.add(m[1]);
    for (const m of text.matchAll(/\blet\s+(\w+)\s*=\s*HostObjectBuilder\s*\(/g)) roots.add(m[1]);
    for (const m of text.matchAll(/\b(\w+)\.(sync|async|value)\(\s*"(\w+)"/g)) {
      const [, receiver, kind, name] = m;
      const binding = bindings.filter((b) => b.variable === receiver && b.at < m.index).at(-1);
      const line = text.slice(0, m.index).split("\n").length;
      if (binding) {
        capabilities.get(binding.capability).add(name);
        sites.push({ path, line, capability: binding.capability, name, kind });
      } else if (roots.has(receiver)) {
        (kind === "value" ? values : functions).add(name);
        sites.push({ path, line, capability: undefined, name, kind });
      }
    }
  }
  return { capabilities, functions, values, sites };
}

/** Stored properties of `struct Name { … }` (top level of the body only). */
export function structProperties(text, name) {
  const body = typeBody(stripSwiftComments(text), `struct ${name}`);
  if (body === undefined) return undefined;
  // A `{` after the type without an `=` is a computed property's body: not stored, not a field.
  return [...topLevel(body).matchAll(/(?:^|\n)\s*(?:(?:public|internal|fileprivate|private)(?:\(set\))?\s+)*(?:var|let)\s+(\w+)\s*:([^\n]*)/g)]
    .filter((m) => !/^[^=]*\{/.test(m[2]))
    .map((m) => m[1]);
}

/** Cases of `enum CodingKeys` inside `type` (e.g. `extension BridgeReply: Codable`). */
export function codingKeys(text, typeHead) {
  const body = typeBody(stripSwiftComments(text), typeHead);
  if (body === undefined) return undefined;
  const keys = typeBody(body, "enum CodingKeys");
  if (keys === undefined) return undefined;
  return [...keys.matchAll(/\bcase\s+([^\n]+)/g)].flatMap((m) =>
    m[1].split(",").map((k) => {
      const raw = /"(\w+)"/.exec(k);
      return raw ? raw[1] : k.trim().split(/\s|=/)[0];
    }),
  );
}

/** Raw values of `enum Name: String` cases: `case foo = "a.b"`. */
export function enumRawValues(text, name) {
  const body = typeBody(stripSwiftComments(text), `enum ${name}`);
  if (body === undefined) return undefined;
  return [...topLevel(body).matchAll(/\bcase\s+(\w+)\s*=\s*"([^"]+)"/g)].map((m) => ({ name: m[1], value: m[2] }));
}

function typeBody(text, head) {
  const index = text.search(new RegExp(`\\b${head.replace(/ /g, "\\s+")}\\b[^{]*\\{`));
  if (index === -1) return undefined;
  let i = text.indexOf("{", index) + 1;
  const start = i;
  let depth = 1;
  while (i < text.length && depth > 0) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}") depth--;
    i++;
  }
  return text.slice(start, i - 1);
}

/** The body with nested braces blanked, so only top-level declarations remain. */
function topLevel(body) {
  let depth = 0;
  let out = "";
  for (const ch of body) {
    const outside = depth === 0;
    if (ch === "{") depth++;
    if (ch === "}") depth--;
    out += outside || depth === 0 ? ch : ch === "\n" ? "\n" : " ";
  }
  return out;
}

export function readSources(paths) {
  return paths.map((path) => ({ path, text: readFileSync(path, "utf8") }));
}
