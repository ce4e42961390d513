// The shape half of the bridge contract: run on the real sources (must pass), then on
// copies broken one way at a time (each must be named).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error -- plain ES modules without type declarations
import { compareShapes, readSwiftClosure, readSwiftShapes, readTsShapes } from "./shapes.mjs";
// @ts-expect-error -- plain ES modules without type declarations
import { listSwiftFiles, readSources } from "./swift-source.mjs";

const root = join(import.meta.dirname, "../..");
const tsShapes = readTsShapes(join(root, "engine/src/host/host-port.ts"));
const sources = readSources(listSwiftFiles(join(root, "MacApp/Sources/Stint/EngineHost"))) as { path: string; text: string }[];

function withEdit(file: string, from: string, to: string) {
  return sources.map((source) => {
    if (!source.path.endsWith(file)) return source;
    expect(source.text).toContain(from);
    return { ...source, text: source.text.replace(from, to) };
  });
}

describe("host function shapes: host-port.ts against the Swift host", () => {
  it("the real sources agree, with most shapes actually compared", () => {
    const result = compareShapes(tsShapes, readSwiftShapes(sources));
    expect(result.problems).toEqual([]);
    expect(result.checked).toBeGreaterThan(result.unchecked * 4);
    expect(tsShapes.get("files.writeAtomic")).toMatchObject({ async: true, params: [{ name: "path" }, { name: "bytes", shape: { kind: "bytes" } }, { name: "options", optional: true }] });
  });

  it("names an argument read with the wrong type", () => {
    const broken = withEdit("HostPort+Files.swift", 'requireBytes("bytes")', 'requireString("bytes")');
    expect(compareShapes(tsShapes, readSwiftShapes(broken)).problems).toContain("files.writeAtomic: argument 1 (bytes) is bytes in host-port.ts but the Swift host reads it as string");
  });

  it("names a result field the port does not define and one it requires", () => {
    const broken = withEdit("HostPort+Files.swift", '"sha256": .string(result.sha256)', '"digest": .string(result.sha256)');
    const { problems } = compareShapes(tsShapes, readSwiftShapes(broken));
    expect(problems).toContain("files.writeAtomic: the Swift host returns field digest, which host-port.ts does not define");
    expect(problems).toContain("files.writeAtomic: the Swift host's result lacks sha256, which host-port.ts requires");
  });

  it("names a sync/async mismatch, an unknown option field and an extra argument", () => {
    const sync = withEdit("HostPort+Files.swift", 'files.async("read")', 'files.sync("read")');
    expect(compareShapes(tsShapes, readSwiftShapes(sync)).problems).toContain("files.read: host-port.ts returns a Promise but the Swift host installs it with sync");
    const field = withEdit("HostPort+Files.swift", '["flushDir"].bool', '["flushDirectory"].bool');
    expect(compareShapes(tsShapes, readSwiftShapes(field)).problems).toContain("files.writeAtomic: the Swift host reads options.flushDirectory, which host-port.ts does not define");
    const extra = withEdit("HostPort+Files.swift", 'let path = try arguments[argument: 0].requireString("path")\n      return .bytes', 'let path = try arguments[argument: 3].requireString("path")\n      return .bytes');
    expect(compareShapes(tsShapes, readSwiftShapes(extra)).problems).toContain("files.read: the Swift host reads argument 3, but host-port.ts takes 1");
  });

  it("names a result of the wrong kind", () => {
    const broken = withEdit("HostPort+Files.swift", "return .bytes(try await fs.perform { try fs.read(path) })", 'return .string("x")');
    expect(compareShapes(tsShapes, readSwiftShapes(broken)).problems).toContain("files.read: host-port.ts returns bytes but the Swift host returns string");
  });

  it("reads single-expression closures and aliases of an argument", () => {
    const shape = readSwiftClosure(' arguments in\n      let request = arguments[argument: 0]\n      let id = try request["id"].requireString("id")\n      return .object(["status": .number(1), "nested": .object(["x": .bool(true)])])');
    expect([...(shape.args.get(0) as { fields: Set<string> }).fields]).toEqual(["id"]);
    expect(shape.returns).toEqual([{ kind: "object", keys: ["status", "nested"] }]);
    expect(readSwiftClosure(" _ in .undefined").returns).toEqual([{ kind: "undefined" }]);
    expect(readFileSync(join(root, "engine/src/host/host-port.ts"), "utf8")).toContain("interface HostPort");
  });
});
