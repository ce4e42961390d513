// Argument and return SHAPES of every host function, compared between
// engine/src/host/host-port.ts and the Swift host's `sync("…")` / `async("…")` closures.
//
// Names alone let a Swift function read its first argument as a string where the port
// passes bytes, or answer `{ size }` where the port promises `{ size, sha256 }`. This reads
// what each Swift closure does with `arguments[argument: N]` (requireString, requireBytes,
// `["field"]`, decode, …) and what it returns (`.bytes`, `.object(["k": …])`, …) and checks
// both against the TypeScript signature. Anything it cannot classify is left unchecked and
// counted, never guessed.
import { readFileSync } from "node:fs";
import { interfaceBlocks, interfaceMembers } from "./host-port.mjs";
import { stripSwiftComments } from "./swift-source.mjs";

/** Splits `a, b, c` at depth 0. */
function splitTop(text, separator = ",") {
  const parts = [];
  let depth = 0;
  let current = "";
  let previous = "";
  for (const ch of text) {
    if ("{([<".includes(ch)) depth++;
    if ("})]".includes(ch) || (ch === ">" && previous !== "=")) depth--;
    previous = ch;
    if (ch === separator && depth === 0) {
      parts.push(current.trim());
      current = "";
    } else current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** The shape class of a TypeScript type: `{ kind, fields?, optional? }`. */
export function classifyTs(type, blocks) {
  let t = type.replace(/\breadonly\s+/g, "").trim();
  let optional = false;
  const union = splitTop(t, "|");
  if (union.length > 1 && union.includes("undefined")) {
    optional = true;
    t = union.filter((u) => u !== "undefined").join(" | ");
  }
  const shape = (kind, extra = {}) => ({ kind, optional, ...extra });
  if (t === "void" || t === "undefined") return shape("undefined");
  if (t === "string" || /^"[^"]*"(\s*\|\s*"[^"]*")*$/.test(t)) return shape("string");
  if (t === "number") return shape("number");
  if (t === "boolean") return shape("boolean");
  if (t === "Uint8Array") return shape("bytes");
  if (/\[\]$/.test(t) || /^(ReadonlyArray|Array)</.test(t)) return shape("array");
  if (/^\(.*\)\s*=>/.test(t)) return shape("function");
  if (/^Record</.test(t)) return shape("object");
  if (t.startsWith("{") && t.endsWith("}")) return shape("object", { fields: fieldsOf(interfaceMembers(t.slice(1, -1))) });
  const named = /^(\w+)$/.exec(t)?.[1];
  if (named && blocks.has(named)) return shape("object", { fields: fieldsOf(interfaceMembers(blocks.get(named))) });
  return shape("unknown");
}

function fieldsOf(members) {
  return members.map((m) => ({ name: m.name, optional: m.optional }));
}

/** `{ async, params: [{ name, optional, shape }], returns }` from a method member's text after `(`. */
export function parseTsSignature(rest, blocks) {
  let depth = 1;
  let i = 0;
  while (i < rest.length && depth > 0) {
    if (rest[i] === "(") depth++;
    else if (rest[i] === ")") depth--;
    i++;
  }
  const params = splitTop(rest.slice(0, i - 1)).map((param) => {
    const m = /^(\w+)(\?)?\s*:\s*([\s\S]+)$/.exec(param);
    return m ? { name: m[1], optional: m[2] === "?", shape: classifyTs(m[3], blocks) } : { name: param, optional: true, shape: { kind: "unknown" } };
  });
  const returnType = rest.slice(i).replace(/^\s*:\s*/, "").trim();
  const promise = /^Promise<([\s\S]*)>$/.exec(returnType);
  return { async: promise !== null, params, returns: classifyTs(promise ? promise[1] : returnType, blocks) };
}

/** `Map<"cap.fn" | "fn", signature>` for every host function of the port. */
export function readTsShapes(path) {
  const blocks = interfaceBlocks(readFileSync(path, "utf8"));
  const shapes = new Map();
  for (const member of interfaceMembers(blocks.get("HostPort") ?? "")) {
    if (member.kind === "method") {
      shapes.set(member.name, parseTsSignature(member.type, blocks));
      continue;
    }
    const typeName = /^(\w+)$/.exec(member.type)?.[1];
    const block = typeName ? blocks.get(typeName) : undefined;
    if (!block || member.name === "info") continue;
    for (const fn of interfaceMembers(block)) if (fn.kind === "method") shapes.set(`${member.name}.${fn.name}`, parseTsSignature(fn.type, blocks));
  }
  return shapes;
}

/** The text between the bracket at `open` and its match. */
function matched(text, open) {
  const pairs = { "{": "}", "[": "]", "(": ")" };
  const close = pairs[text[open]];
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      continue;
    }
    if (text[i] === text[open]) depth++;
    else if (text[i] === close && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

/** Top-level `"key":` names of a dictionary literal's contents. */
function literalKeys(contents) {
  return splitTop(contents).flatMap((entry) => {
    const m = /^"(\w+)"\s*:/.exec(entry);
    return m ? [m[1]] : [];
  });
}

const ARGUMENT_READS = [
  [/^\.requireString\(/, "string"],
  [/^\.requireBytes\(/, "bytes"],
  [/^\.requireNumber\(/, "number"],
  [/^\.decode\(/, "object"],
  [/^\??\.toString\(\)/, "string"],
  [/^\??\.toNumber\(\)/, "number"],
  [/^\.string\b/, "string"],
  [/^\.number\b/, "number"],
  [/^\.bool\b/, "boolean"],
  [/^\.bytes\b/, "bytes"],
  [/^\.array\b/, "array"],
];

const RETURN_KINDS = { undefined: "undefined", bytes: "bytes", string: "string", number: "number", bool: "boolean", array: "array", object: "object" };

/** What one Swift closure body reads and returns: `{ args: Map<i, { kinds, fields }>, returns: [{ kind, keys? }] }`. */
export function readSwiftClosure(body) {
  const args = new Map();
  const aliases = new Map();
  for (const m of body.matchAll(/\blet\s+(\w+)\s*=\s*arguments\[argument:\s*(\d+)\]\s*$/gm)) aliases.set(m[1], Number(m[2]));
  const record = (index, kind, field) => {
    const entry = args.get(index) ?? { kinds: new Set(), fields: new Set() };
    if (kind) entry.kinds.add(kind);
    if (field) entry.fields.add(field);
    args.set(index, entry);
  };
  const readAt = (index, after) => {
    const field = /^\s*\[\s*"(\w+)"\s*\]/.exec(after);
    if (field) return record(index, "object", field[1]);
    for (const [pattern, kind] of ARGUMENT_READS) if (pattern.test(after.trimStart())) return record(index, kind);
    record(index, undefined);
  };
  for (const m of body.matchAll(/arguments\[argument:\s*(\d+)\]/g)) readAt(Number(m[1]), body.slice(m.index + m[0].length));
  for (const [alias, index] of aliases) {
    for (const m of body.matchAll(new RegExp(`\\b${alias}\\b(?=\\s*(\\[|\\.))`, "g"))) readAt(index, body.slice(m.index + alias.length));
  }

  const returns = [];
  const expressions = [...body.matchAll(/\breturn\s+(?:try\s+)?(?:await\s+)?/g)].map((m) => m.index + m[0].length);
  // A single-expression closure returns its expression.
  if (expressions.length === 0) {
    const start = /^\s*(?:\w+\s+in\s+|_\s+in\s+)?/.exec(body)[0].length;
    const first = body.slice(start).replace(/^(?:try\s+|await\s+)+/, "");
    expressions.push(body.length - first.length);
  }
  for (const at of expressions) {
    const expression = body.slice(at);
    const dot = /^\.(\w+)\b/.exec(expression);
    if (dot && RETURN_KINDS[dot[1]]) {
      const open = at + dot[0].length;
      const keys = dot[1] === "object" && body.slice(open, open + 2) === "([" ? literalKeys(matched(body, open + 1)) : undefined;
      returns.push({ kind: RETURN_KINDS[dot[1]], ...(keys ? { keys } : {}) });
    } else if (/^HostValue\(encoding:/.test(expression) || /^\(try\s+HostValue\(encoding:/.test(expression)) {
      returns.push({ kind: "encoded" });
    } else {
      returns.push({ kind: "unknown" });
    }
  }
  return { args, returns };
}

/** `Map<"cap.fn" | "fn", { async, body, site }>` from the Swift host sources. */
export function readSwiftShapes(sources) {
  const out = new Map();
  for (const { path, text: raw } of sources) {
    const text = stripSwiftComments(raw);
    const bindings = [...text.matchAll(/\blet\s+(\w+)\s*=\s*\w+\.capability\(\s*"(\w+)"\s*\)/g)].map((m) => ({ variable: m[1], capability: m[2], at: m.index }));
    for (const m of text.matchAll(/\b(\w+)\.(sync|async)\(\s*"(\w+)"\s*\)\s*\{/g)) {
      const binding = bindings.filter((b) => b.variable === m[1] && b.at < m.index).at(-1);
      const key = binding ? `${binding.capability}.${m[3]}` : m[3];
      const open = m.index + m[0].length - 1;
      const line = text.slice(0, m.index).split("\n").length;
      out.set(key, { async: m[2] === "async", body: matched(text, open), site: `${path}:${line}` });
    }
  }
  return out;
}

/** Problems by function name; `checked` counts the comparisons that could be made. */
export function compareShapes(tsShapes, swiftShapes) {
  const problems = [];
  let checked = 0;
  let unchecked = 0;
  for (const [name, ts] of tsShapes) {
    const swift = swiftShapes.get(name);
    if (!swift) continue; // presence is compareHostPort's job
    if (ts.async !== swift.async) problems.push(`${name}: host-port.ts ${ts.async ? "returns a Promise" : "is synchronous"} but the Swift host installs it with ${swift.async ? "async" : "sync"}`);
    const { args, returns } = readSwiftClosure(swift.body);
    for (const [index, read] of args) {
      const param = ts.params[index];
      if (!param) {
        problems.push(`${name}: the Swift host reads argument ${index}, but host-port.ts takes ${ts.params.length}`);
        continue;
      }
      for (const kind of read.kinds) {
        if (param.shape.kind === "unknown") unchecked++;
        else if (kind !== param.shape.kind) problems.push(`${name}: argument ${index} (${param.name}) is ${param.shape.kind} in host-port.ts but the Swift host reads it as ${kind}`);
        else checked++;
      }
      for (const field of read.fields) {
        if (!param.shape.fields) unchecked++;
        else if (!param.shape.fields.some((f) => f.name === field)) problems.push(`${name}: the Swift host reads ${param.name}.${field}, which host-port.ts does not define`);
        else checked++;
      }
    }
    for (const result of returns) {
      const expected = ts.returns;
      if (result.kind === "unknown" || result.kind === "encoded" || expected.kind === "unknown") {
        unchecked++;
        continue;
      }
      if (result.kind === "undefined" && (expected.optional || expected.kind === "undefined")) {
        checked++;
        continue;
      }
      if (result.kind !== expected.kind) {
        problems.push(`${name}: host-port.ts returns ${expected.kind}${expected.optional ? " | undefined" : ""} but the Swift host returns ${result.kind}`);
        continue;
      }
      checked++;
      if (result.keys && expected.fields) {
        for (const key of result.keys) if (!expected.fields.some((f) => f.name === key)) problems.push(`${name}: the Swift host returns field ${key}, which host-port.ts does not define`);
        for (const field of expected.fields) if (!field.optional && !result.keys.includes(field.name)) problems.push(`${name}: the Swift host's result lacks ${field.name}, which host-port.ts requires`);
      }
    }
  }
  return { problems, checked, unchecked };
}
