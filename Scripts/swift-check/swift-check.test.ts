import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error -- plain ES modules without type declarations
import { checkSwiftSource, KNOWN_FALSE_POSITIVES, neutralizeKnownConstructs } from "./syntax.mjs";
// @ts-expect-error -- plain ES modules without type declarations
import { interfaceBlocks, interfaceMembers, readHostPort, readEnvelopeFields } from "./host-port.mjs";
// @ts-expect-error -- plain ES modules without type declarations
import { readInstalledHostPort, structProperties, codingKeys, enumRawValues } from "./swift-source.mjs";
// @ts-expect-error -- plain ES modules without type declarations
import { absentOptional, compareHostPort, compareMethods, compareEnvelope } from "./contract.mjs";
// @ts-expect-error -- plain ES modules without type declarations
import { scanDefinedMethods } from "./engine-methods.mjs";

const root = join(import.meta.dirname, "../..");

describe("Swift syntax check", () => {
  it("accepts valid modern Swift", () => {
    const source = `
      @Observable final class Model { var count = 0 }
      actor A { func f() async throws -> Int { try await Task.sleep(for: .seconds(1)); return 1 } }
      struct V: View { var body: some View { Text("hi").padding() } }
      #Preview { V() }
    `;
    expect(checkSwiftSource(source).errors).toEqual([]);
  });

  it.each([
    ["a missing brace", "struct A {\n  func f() {\n}\n"],
    ["a missing parenthesis", "func f() { print((1) }\n"],
    ["a doubled operator", "func f() { var a = 1; a = = 2 }\n"],
    ["an unterminated string", 'let s = "abc\nlet t = 1\n'],
  ])("reports %s with its line", (_what, source) => {
    const { errors } = checkSwiftSource(source);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].line).toBeGreaterThan(0);
  });

  it("every known construct is accepted only because of its rewrite", () => {
    const samples: Record<string, string> = {
      "nonisolated(unsafe)": "struct A { nonisolated(unsafe) static var x = 1 }\n",
      "typed throws `throws(E)`": "func f() throws(MyError) -> Int { 1 }\n",
      "`sending` parameter or result": "func f(_ a: sending Foo) -> sending Bar { a }\n",
      "`consume x` operator": "func f() { let a = B(); let b = consume a; use(b) }\n",
      "`isolated deinit`": "actor A { isolated deinit { } }\n",
    };
    for (const entry of KNOWN_FALSE_POSITIVES) {
      const sample = samples[entry.construct];
      expect(sample, entry.construct).toBeDefined();
      expect(entry.reason.length).toBeGreaterThan(10);
      expect(checkSwiftSource(sample).errors, entry.construct).toEqual([]);
      expect(neutralizeKnownConstructs(sample).used.get(entry.construct)).toBeGreaterThan(0);
      // The grammar really rejects it: an entry that is not needed must be removed.
      expect(checkSwiftSource(sample, { neutralize: false }).errors.length, entry.construct).toBeGreaterThan(0);
    }
  });

  it("keeps positions and leaves strings and comments alone", () => {
    const source = 'let s = "nonisolated(unsafe)" // throws(E)\nnonisolated(unsafe) var x = 1\n';
    const { text, used } = neutralizeKnownConstructs(source);
    expect(text.length).toBe(source.length);
    expect(text.split("\n")[0]).toBe(source.split("\n")[0]);
    expect(used.get("nonisolated(unsafe)")).toBe(1);
  });

  it("still catches a real error next to a known construct", () => {
    expect(checkSwiftSource("struct A { nonisolated(unsafe) var x = = 1 }\n").errors.length).toBeGreaterThan(0);
  });
});

describe("host-port.ts reader", () => {
  it("reads every capability and function of the real contract", () => {
    const { capabilities } = readHostPort(join(root, "engine/src/host/host-port.ts"));
    const byName = Object.fromEntries(capabilities.map((c: { name: string }) => [c.name, c]));
    for (const name of ["info", "clock", "timers", "files", "crypto", "http", "secrets", "log", "emit", "recorder", "media", "imaging", "vision", "speech"]) {
      expect(byName[name], name).toBeDefined();
    }
    const fns = (name: string) => byName[name].functions.map((f: { name: string }) => f.name);
    expect(fns("timers")).toEqual(["setTimeout", "clearTimeout"]);
    expect(fns("files")).toContain("diskSpace");
    expect(byName.files.functions.find((f: { name: string }) => f.name === "diskSpace").optional).toBe(true);
    expect(byName.emit.kind).toBe("function");
    expect(byName.recorder.optional).toBe(true);
  });

  it("is not fooled by arrow types or nested object types", () => {
    const blocks = interfaceBlocks(`export interface T {\n  a(cb: () => void, ms: number): number;\n  b(x: { readonly y: string }): Promise<{ z: number }>;\n  c?(p: string): void;\n}`);
    expect(interfaceMembers(blocks.get("T")).map((m: { name: string }) => m.name)).toEqual(["a", "b", "c"]);
  });

  it("reads the envelope schemas' fields", () => {
    const fields = readEnvelopeFields(join(root, "engine/src/bridge/envelope.ts"));
    expect(fields.InboundMessageSchema).toEqual(["v", "id", "method", "params"]);
    expect(fields.ErrorDataSchema).toEqual(["code", "message", "retryable", "data"]);
  });
});

describe("Swift source reader and comparisons", () => {
  const contract = {
    capabilities: [
      { name: "info", kind: "value", optional: false, functions: [], fields: [{ name: "name", optional: false }, { name: "extra", optional: true }] },
      { name: "clock", kind: "object", optional: false, functions: [{ name: "now", optional: false }, { name: "elapsed", optional: false }] },
      { name: "files", kind: "object", optional: false, functions: [{ name: "read", optional: false }, { name: "diskSpace", optional: true }] },
      { name: "emit", kind: "function", optional: false, functions: [] },
    ],
  };
  const swift = `
    func install(on root: HostObjectBuilder) {
      root.value("info", info)
      root.sync("emit") { _ in .undefined }
      let clock = root.capability("clock")
      clock.sync("now") { _ in .number(1) }
      clock.sync("elapsed") { _ in .number(1) }
      // clock.sync("commentedOut") { _ in .undefined }
      let files = root.capability("files")
      files.async("read") { _ in .undefined }
    }`;

  it("reads installs per capability and ignores comments", () => {
    const installed = readInstalledHostPort([{ path: "x.swift", text: swift }]);
    expect([...installed.capabilities.get("clock")]).toEqual(["now", "elapsed"]);
    expect([...installed.functions]).toEqual(["emit"]);
    expect([...installed.values]).toEqual(["info"]);
    expect(compareHostPort(contract, installed, ["name"])).toEqual([]);
  });

  it("names a misspelled or missing function", () => {
    const installed = readInstalledHostPort([{ path: "x.swift", text: swift.replace('"elapsed"', '"elapse"') }]);
    const problems = compareHostPort(contract, installed, ["name"]);
    expect(problems).toContain("clock.elapsed is not installed by the Swift EngineHost");
    expect(problems).toContain("clock.elapse is installed by the Swift EngineHost but is not in host-port.ts");
  });

  it("names a missing capability and a missing info field", () => {
    const installed = readInstalledHostPort([{ path: "x.swift", text: swift.replace(/let files[\s\S]*read.*\n/, "") }]);
    const problems = compareHostPort(contract, installed, []);
    expect(problems).toContain("capability files is not installed by the Swift EngineHost");
    expect(problems).toContain("info.name is missing from the Swift HostInfo");
  });

  it("lets an optional capability be absent, and lists it", () => {
    const optional = { capabilities: [...contract.capabilities, { name: "lock", kind: "object", optional: true, functions: [{ name: "tryLock", optional: false }] }] };
    const installed = readInstalledHostPort([{ path: "x.swift", text: swift }]);
    expect(compareHostPort(optional, installed, ["name"])).toEqual([]);
    expect(absentOptional(optional, installed)).toEqual(["lock"]);
    const partial = readInstalledHostPort([{ path: "x.swift", text: swift + '\nlet lock = root.capability("lock")\nlock.async("other") { _ in .undefined }' }]);
    expect(compareHostPort(optional, partial, ["name"])).toContain("lock.tryLock is not installed by the Swift EngineHost");
  });

  it("reads stored properties, coding keys and enum raw values", () => {
    const text = `
      public struct M: Codable {
        public var v: Int
        public var id: RequestID?
        public private(set) var method: String
        public var isNote: Bool { id == nil }
        public init() {}
      }
      extension R: Codable {
        private enum CodingKeys: String, CodingKey {
          case v, id, result
          case error = "error"
        }
      }
      public enum BridgeMethod: String { case a = "x.y" \n case b = "x.z" }`;
    expect(structProperties(text, "M")).toEqual(["v", "id", "method"]);
    expect(codingKeys(text, "extension R")).toEqual(["v", "id", "result", "error"]);
    expect(enumRawValues(text, "BridgeMethod")).toEqual([{ name: "a", value: "x.y" }, { name: "b", value: "x.z" }]);
  });

  it("names a method missing from the router and a misnamed envelope field", () => {
    expect(compareMethods([{ name: "a", value: "session.strat" }], new Set(["session.start"]))).toEqual([
      "bridge method session.strat (BridgeMethod.a) is not in the engine's router",
    ]);
    const ts = { InboundMessageSchema: ["v", "id", "method", "params"], ErrorDataSchema: ["code"], SuccessReplySchema: ["v", "id", "result"], ErrorReplySchema: ["v", "id", "error"], EventMessageSchema: ["v", "method", "params"] };
    const good = { BridgeMessage: ["v", "id", "method", "params"], BridgeErrorData: ["code"], BridgeReply: ["v", "id", "result", "error"], BridgeEvent: ["v", "method", "params"] };
    expect(compareEnvelope(ts, good)).toEqual([]);
    const problems = compareEnvelope(ts, { ...good, BridgeMessage: ["v", "id", "name", "params"] });
    expect(problems).toContain("envelope field method (InboundMessageSchema) is missing from StintCore's BridgeMessage");
    expect(problems).toContain("StintCore's BridgeMessage.name is not an envelope field of InboundMessageSchema");
  });

  it("scans defineMethod keys and skips tests", () => {
    const dir = mkdtempSync(join(tmpdir(), "swift-check-"));
    writeFileSync(join(dir, "a.ts"), `export const m = { "session.start": defineMethod(S, h), 'recording.audio' : defineMethod(S, h) };`);
    writeFileSync(join(dir, "a.test.ts"), `const t = { "fake.method": defineMethod(S, h) };`);
    expect([...scanDefinedMethods(dir)].sort()).toEqual(["recording.audio", "session.start"]);
  });
});

describe("review panel CSP", () => {
  it("passes when the Swift header and the page's meta tag agree, and names the difference when not", async () => {
    // @ts-expect-error plain ESM script without types
    const { checkPanelCsp } = await import("./panel.mjs");
    const swift = 'static let contentSecurityPolicy =\n    "default-src \'none\'; connect-src \'self\' stint-blob:"';
    const html = '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; connect-src \'self\' stint-blob:" />';
    expect(checkPanelCsp(swift, html)).toEqual([]);
    expect(checkPanelCsp(swift.replace(" stint-blob:", ""), html)[0]).toMatch(/differs/);
    expect(checkPanelCsp("", html)[0]).toMatch(/no contentSecurityPolicy/);
  });
});

describe("relayed panel request timeouts", () => {
  it("passes when the host waits at least as long as the page, and names a shorter bound", async () => {
    // @ts-expect-error plain ESM script without types
    const { checkRelayTimeouts } = await import("./panel.mjs");
    const swift = "public static let panel: Duration = .seconds(15)\n  public static let panelStop: Duration = .seconds(30)";
    const ui = "export const DEFAULT_TIMEOUT_MS = 15_000;\n client.request(m, {}, { timeoutMs: 30_000 })";
    expect(checkRelayTimeouts(swift, ui)).toEqual([]);
    expect(checkRelayTimeouts(swift.replace(".seconds(15)", ".seconds(5)"), ui)).toEqual(["the host relays panel requests for 5 s, but the panel waits 15 s"]);
    expect(checkRelayTimeouts(swift, ui.replace("30_000", "45_000"))).toEqual(["the host relays panel stop requests for 30 s, but the panel waits up to 45 s"]);
    expect(checkRelayTimeouts("", ui)).toEqual(["BridgeTimeouts declares no panel / panelStop bound"]);
  });
});
