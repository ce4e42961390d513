#!/usr/bin/env node
// `npm test`: typecheck, build (with bundle check), vitest, then every suite in
// Scripts/test-suites/ (real JavaScriptCore, real browsers, Swift checks, soak).
// Ends with one line: "N passed, N failed". Exits 1 on any failure.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const artifacts = join(root, ".test-artifacts");
mkdirSync(artifacts, { recursive: true });
const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
const summary = [];

function run(command, args, { capture = false, timeoutMs = 20 * 60_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit", env: { ...process.env, FORCE_COLOR: "0" } });
    let out = "";
    child.stdout?.on("data", (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    const timer = setTimeout(() => {
      process.stderr.write(`\n${command} ${args.join(" ")} exceeded ${timeoutMs / 1000}s; stopping it\n`);
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 1 : 0), out });
    });
  });
}

function record(name, ok, detail) {
  passed += detail?.passed ?? (ok ? 1 : 0);
  // A step that failed without naming a failing test (crash, timeout, no RESULT line) counts as one failure.
  failed += Math.max(detail?.failed ?? 0, ok ? 0 : 1);
  summary.push(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ` (${detail.passed ?? 0} passed, ${detail.failed ?? 0} failed${detail.skipped ? `, ${detail.skipped} skipped` : ""})` : ""}`);
}

const wants = (name) => only.length === 0 || only.includes(name);

if (wants("typecheck")) {
  console.log("\n== typecheck (tsc --noEmit, strict)");
  const { code } = await run(join(root, "node_modules/.bin/tsc"), ["--noEmit", "-p", "tsconfig.json"]);
  record("typecheck", code === 0);
}

if (wants("build")) {
  console.log("\n== build (esbuild + bundle check)");
  const { code } = await run(process.execPath, ["Scripts/build.mjs"]);
  record("build + bundle check", code === 0);
}

if (wants("vitest")) {
  console.log("\n== vitest (unit + contract suites)");
  const report = join(artifacts, "vitest.json");
  const { code } = await run(join(root, "node_modules/.bin/vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile=${report}`]);
  let detail = { passed: 0, failed: code === 0 ? 0 : 1 };
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, "utf8"));
    // A test file that failed to load has no failing test of its own: count it once.
    const brokenFiles = (json.testResults ?? []).filter((file) => file.status === "failed" && !(file.assertionResults ?? []).some((t) => t.status === "failed")).length;
    detail = { passed: json.numPassedTests, failed: json.numFailedTests + brokenFiles, skipped: json.numPendingTests + (json.numTodoTests ?? 0) };
  }
  record("vitest", code === 0 && detail.failed === 0, detail);
}

const suitesDir = join(root, "Scripts/test-suites");
const suites = existsSync(suitesDir) ? readdirSync(suitesDir).filter((f) => f.endsWith(".mjs")).sort() : [];
for (const file of suites) {
  const name = file.replace(/\.mjs$/, "");
  if (!wants(name)) continue;
  console.log(`\n== ${name}`);
  const { code, out } = await run(process.execPath, [join(suitesDir, file)], { capture: true });
  const match = [...out.matchAll(/^RESULT (\{.*\})\s*$/gm)].pop();
  let detail;
  try {
    detail = match ? JSON.parse(match[1]) : undefined;
  } catch {
    detail = undefined;
  }
  record(name, code === 0 && detail !== undefined && (detail.failed ?? 0) === 0, detail ?? { passed: 0, failed: 1 });
}

console.log(`\n== summary\n${summary.join("\n")}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
