#!/usr/bin/env node
// Swift checks that run on any machine: syntax of every .swift file (tree-sitter-swift),
// the bridge contract between the Swift shell and the engine, and the StintCore tests
// when a Swift toolchain is on PATH (said plainly, and counted as skipped, when not).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, relative, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { checkSwiftFiles, checkSwiftSource, KNOWN_FALSE_POSITIVES } from "../swift-check/syntax.mjs";
import { listSwiftFiles } from "../swift-check/swift-source.mjs";
import { absentOptional, compareHostPort, compareMethods, compareEnvelope, readRepository } from "../swift-check/contract.mjs";
import { compareShapes, readSwiftShapes, readTsShapes } from "../swift-check/shapes.mjs";
import { readSources } from "../swift-check/swift-source.mjs";
import { checkPanelTransport } from "../swift-check/panel.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
let passed = 0;
let failed = 0;
let skipped = 0;

function report(ok, name, problems = []) {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}`);
  for (const problem of problems) console.log(`       ${problem}`);
}

// 1. Syntax.
console.log("# Swift syntax (tree-sitter-swift)");
const swiftFiles = [join(root, "Package.swift"), ...listSwiftFiles(join(root, "MacApp"))].filter(existsSync);
const used = new Map();
for (const result of checkSwiftFiles(swiftFiles)) {
  for (const [construct, count] of result.used) used.set(construct, (used.get(construct) ?? 0) + count);
  report(
    result.errors.length === 0,
    `parses: ${relative(root, result.path)}`,
    result.errors.map((e) => `${e.line}:${e.column} ${e.kind}: ${e.text}`),
  );
}
console.log(`  known grammar gaps neutralized: ${used.size === 0 ? "none used" : [...used].map(([c, n]) => `${c} ×${n}`).join(", ")}`);

// The checker must catch real errors, and must not hide them behind the known constructs.
const broken = {
  "missing closing brace": "struct A {\n  func f() {\n    let x = 1\n}\n",
  "missing paren": "func f() { print((1 + 2) }\n",
  "`= =`": "func f() { var a = 1; a = = 2 }\n",
  "unterminated string": 'let s = "abc\nlet t = 1\n',
  "error on a line with nonisolated(unsafe)": "struct A { nonisolated(unsafe) var x = = 1 }\n",
};
for (const [what, snippet] of Object.entries(broken)) {
  const { errors } = checkSwiftSource(snippet);
  report(errors.length > 0, `checker catches ${what}`, errors.length > 0 ? [] : ["no error reported"]);
}
for (const entry of KNOWN_FALSE_POSITIVES) {
  const samples = {
    "nonisolated(unsafe)": "struct A { nonisolated(unsafe) static var x = 1 }\n",
    "typed throws `throws(E)`": "func f() throws(MyError) -> Int { 1 }\n",
    "`sending` parameter or result": "func f(_ a: sending Foo) -> sending Bar { a }\n",
    "`consume x` operator": "func f() { let a = B(); let b = consume a; use(b) }\n",
    "`isolated deinit`": "actor A { isolated deinit { } }\n",
  };
  const sample = samples[entry.construct];
  const { errors } = checkSwiftSource(sample ?? "");
  // An entry the grammar does not actually need would hide nothing, but it must not linger.
  const raw = checkSwiftSource(sample ?? "", { neutralize: false }).errors;
  report(
    sample !== undefined && errors.length === 0 && raw.length > 0,
    `known construct accepted: ${entry.construct} (${entry.reason})`,
    raw.length === 0 ? ["the grammar parses this construct now: remove it from KNOWN_FALSE_POSITIVES"] : [],
  );
}

// StintCore must build anywhere: Foundation (swift-corelibs on Linux) and nothing Apple-only.
{
  const portable = new Set(["Foundation", "Testing", "StintCore"]);
  const coreFiles = [...listSwiftFiles(join(root, "MacApp/Sources/StintCore")), ...listSwiftFiles(join(root, "MacApp/Tests"))];
  const problems = [];
  for (const file of coreFiles) {
    for (const m of readFileSync(file, "utf8").matchAll(/^\s*(?:@testable\s+)?import\s+(?:(?:struct|class|enum|func)\s+)?(\w+)/gm)) {
      if (!portable.has(m[1])) problems.push(`${relative(root, file)} imports ${m[1]}`);
    }
  }
  report(problems.length === 0, `StintCore and its tests import only Foundation, Testing and StintCore (${coreFiles.length} files)`, problems);
}

// 2. Bridge contract.
console.log("# Bridge contract (engine/src/host/host-port.ts, engine router, envelope.ts ↔ Swift)");
const repo = await readRepository(root);
for (const note of repo.notes) console.log(`  ${note}`);
const hostProblems = compareHostPort(repo.contract, repo.installed, repo.infoFields);
const absent = absentOptional(repo.contract, repo.installed);
if (absent.length > 0) console.log(`  optional capabilities the Mac host does not install: ${absent.join(", ")}`);
const functionCount = repo.contract.capabilities.reduce((n, c) => n + Math.max(1, c.functions.length), 0);
report(hostProblems.length === 0, `EngineHost installs every host-port capability and function (${repo.contract.capabilities.length} capabilities, ${functionCount} names)`, hostProblems);
const shapes = compareShapes(
  readTsShapes(join(root, "engine/src/host/host-port.ts")),
  readSwiftShapes(readSources(listSwiftFiles(join(root, "MacApp/Sources/Stint/EngineHost")))),
);
report(shapes.problems.length === 0, `host function argument and return shapes match host-port.ts (${shapes.checked} compared, ${shapes.unchecked} not classifiable)`, shapes.problems);
for (const method of repo.swiftMethods) {
  const problems = compareMethods([method], repo.engineMethods);
  report(problems.length === 0, `engine routes ${method.value}`, problems);
}
const envelopeProblems = compareEnvelope(repo.tsFields, repo.swiftFields);
report(envelopeProblems.length === 0, "StintCore's envelope codec has exactly the envelope's fields", envelopeProblems);
const panel = checkPanelTransport(root);
if (panel.skipped) {
  skipped++;
  console.log(`skip panel transport names: ${panel.reason}`);
} else {
  report(panel.problems.length === 0, "review panel and ReviewPanel agree on the message handler, receive function and Content-Security-Policy", panel.problems);
}

// Negative tests: a broken side fails with the name.
{
  const capabilities = new Map([...repo.installed.capabilities].map(([k, v]) => [k, new Set(v)]));
  capabilities.get("files")?.delete("writeAtomic");
  capabilities.get("files")?.add("writeAtomically");
  const problems = compareHostPort(repo.contract, { ...repo.installed, capabilities }, repo.infoFields);
  report(
    problems.some((p) => p.includes("files.writeAtomic is not installed")) && problems.some((p) => p.includes("files.writeAtomically")),
    "negative: a misspelled host function fails with its name",
    problems.length ? [] : ["no problem reported"],
  );
  const withoutEmit = { ...repo.installed, functions: new Set([...repo.installed.functions].filter((f) => f !== "emit")) };
  report(
    compareHostPort(repo.contract, withoutEmit, repo.infoFields).some((p) => p.includes("emit")),
    "negative: a missing top-level host function fails with its name",
  );
  const methodProblems = compareMethods([{ name: "sessionStrat", value: "session.strat" }], repo.engineMethods);
  report(methodProblems.some((p) => p.includes("session.strat")), "negative: a misspelled bridge method fails with its name");
  const fields = { ...repo.swiftFields, BridgeErrorData: ["code", "message", "retriable", "data"] };
  const fieldProblems = compareEnvelope(repo.tsFields, fields);
  report(
    fieldProblems.some((p) => p.includes("retryable")) && fieldProblems.some((p) => p.includes("retriable")),
    "negative: a misnamed envelope field fails with its name",
  );
}

// 3. StintCore tests.
console.log("# StintCore tests (swift test)");
const swift = spawnSync("swift", ["--version"], { encoding: "utf8" });
if (swift.error || swift.status !== 0) {
  skipped++;
  console.log("skip StintCore tests: no Swift toolchain is present on this machine (`swift` is not on PATH); they run on macOS and in .github/workflows/macos.yml");
} else {
  const test = spawnSync("swift", ["test", "--filter", "StintCoreTests"], { cwd: root, encoding: "utf8", stdio: "inherit", timeout: 20 * 60_000 });
  report(test.status === 0, `swift test (${swift.stdout.split("\n")[0]})`);
}

console.log(`RESULT ${JSON.stringify({ passed, failed, skipped })}`);
process.exit(failed > 0 ? 1 : 0);
