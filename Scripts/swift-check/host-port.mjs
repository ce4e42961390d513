// Reads the host port contract out of engine/src/host/host-port.ts.
//
// The typescript package here is the Go-native compiler without a JS parser API, so this
// reads the interface blocks directly: they are plain `name(...)` / `readonly name: T`
// members, one per line, which the contract's own style guarantees.
import { readFileSync } from "node:fs";

/** Strips comments (keeps line structure) so members are read from code only. */
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " ")).replace(/\/\/[^\n]*/g, "");
}

/** `{ name → body }` for every `export interface Name { … }`, brace-matched. */
export function interfaceBlocks(source) {
  const text = stripComments(source);
  const blocks = new Map();
  const head = /export\s+interface\s+(\w+)(?:\s+extends\s+[\w<>, ]+)?\s*\{/g;
  for (const match of text.matchAll(head)) {
    let depth = 1;
    let i = match.index + match[0].length;
    const start = i;
    while (i < text.length && depth > 0) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}") depth--;
      i++;
    }
    blocks.set(match[1], text.slice(start, i - 1));
  }
  return blocks;
}

/** Top-level members of an interface body: `{ name, optional, kind: "method"|"property", type }`. */
export function interfaceMembers(body) {
  const members = [];
  let depth = 0;
  let statement = "";
  let previous = "";
  for (const ch of body) {
    if (ch === "{" || ch === "(" || ch === "<" || ch === "[") depth++;
    // `=>` in a function type is not a closing angle bracket.
    if (ch === "}" || ch === ")" || (ch === ">" && previous !== "=") || ch === "]") depth--;
    previous = ch;
    if (ch === ";" && depth === 0) {
      members.push(statement.trim());
      statement = "";
    } else {
      statement += ch;
    }
  }
  if (statement.trim()) members.push(statement.trim());
  return members
    .map((member) => {
      const m = /^(?:readonly\s+)?(\w+)(\?)?\s*(\(|:)\s*([\s\S]*)$/.exec(member.replace(/\s+/g, " "));
      if (!m) return undefined;
      return { name: m[1], optional: m[2] === "?", kind: m[3] === "(" ? "method" : "property", type: m[4].trim() };
    })
    .filter(Boolean);
}

/**
 * The contract: `{ capabilities: [{ name, optional, kind, functions: [{ name, optional }] }], info: [...] }`.
 * A capability whose type is an interface lists that interface's methods; `emit` is a function.
 */
export function readHostPort(path) {
  const blocks = interfaceBlocks(readFileSync(path, "utf8"));
  const hostPort = blocks.get("HostPort");
  if (!hostPort) throw new Error(`no HostPort interface in ${path}`);
  const capabilities = [];
  for (const member of interfaceMembers(hostPort)) {
    if (member.kind === "method") {
      capabilities.push({ name: member.name, optional: member.optional, kind: "function", functions: [] });
      continue;
    }
    const typeName = /^(\w+)$/.exec(member.type)?.[1];
    const block = typeName ? blocks.get(typeName) : undefined;
    if (!block) throw new Error(`HostPort.${member.name} has type ${member.type}, not an interface in ${path}`);
    const inner = interfaceMembers(block);
    if (member.name === "info") {
      capabilities.push({
        name: "info",
        optional: member.optional,
        kind: "value",
        functions: [],
        fields: inner.map((f) => ({ name: f.name, optional: f.optional })),
      });
    } else {
      capabilities.push({
        name: member.name,
        optional: member.optional,
        kind: "object",
        functions: inner.filter((f) => f.kind === "method").map((f) => ({ name: f.name, optional: f.optional })),
      });
    }
  }
  return { capabilities };
}

/** Field names of the zod objects in engine/src/bridge/envelope.ts. */
export function readEnvelopeFields(path) {
  const text = stripComments(readFileSync(path, "utf8"));
  const out = {};
  for (const match of text.matchAll(/export const (\w+Schema)\s*=\s*z\.object\(\{([\s\S]*?)\}\)/g)) {
    const fields = [...match[2].matchAll(/(?:^|[,{\s])(\w+)\s*:/g)].map((m) => m[1]);
    out[match[1]] = fields;
  }
  return out;
}
