#!/usr/bin/env node
// The JavaScriptCore suite: builds the native test host (Scripts/jsc-host) and
// dist/engine.js, then inside a bare JSC context runs the host contract against
// the native host, an engine smoke scenario with the real bundle, and real AI
// SDK calls through createHostFetch against a loopback fake. Also checks the
// host itself: uncaught exceptions are reported, the wall-clock cap holds.
// Last line: RESULT {"passed":N,"failed":M}.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildEngine, buildJscHost, bundleForJsc, bundleForNode, root } from "../jsc-host/build.mjs";
import { startFakeAi } from "../jsc-host/fake-ai.mjs";

const work = mkdtempSync(join(tmpdir(), "stint-jsc-suite-"));
let passed = 0;
let failed = 0;
const record = (name, ok, detail) => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${!ok && detail ? `\n       ${detail}` : ""}`);
};

/** Runs the host; resolves with its exit code, DONE payload and output lines. */
export function runHost(binary, args, { timeoutMs = 90_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ANTHROPIC_API_KEY: "", OPENAI_API_KEY: "" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      const lines = out.split("\n").filter(Boolean);
      const doneLine = lines.find((line) => line.startsWith("DONE "));
      let done;
      if (doneLine) {
        const match = /^DONE (-?\d+) (.*)$/.exec(doneLine);
        try {
          done = { code: Number(match[1]), payload: JSON.parse(match[2]) };
        } catch {
          done = { code: Number(match?.[1]), payload: undefined };
        }
      }
      resolve({ code, signal, done, lines, stderr: err });
    });
  });
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out.push(path);
    if (statSync(path).isDirectory()) out.push(...walk(path));
  }
  return out;
}

async function main() {
  let binary;
  let enginePath;
  let entry;
  let contractServer;
  try {
    binary = buildJscHost();
    record("the native host builds (gcc + javascriptcoregtk-4.1)", true);
  } catch (error) {
    record("the native host builds (gcc + javascriptcoregtk-4.1)", false, error.message);
    return;
  }
  try {
    // A private copy: other builds may rewrite dist/engine.js while this suite runs.
    enginePath = join(work, "engine.js");
    copyFileSync(buildEngine(), enginePath);
    record("dist/engine.js builds and passes the bundle check", true);
  } catch (error) {
    enginePath = undefined;
    record("dist/engine.js builds and passes the bundle check", false, error.message);
  }
  entry = await bundleForJsc(join(root, "engine/src/testing/jsc-entry.ts"), join(work, "jsc-entry.js"));
  const serverModule = await bundleForNode(join(root, "engine/src/testing/contract-server.ts"), join(work, "contract-server.mjs"));
  const { createContractServer } = await import(pathToFileURL(serverModule).href);
  contractServer = await createContractServer();
  const fakeAi = await startFakeAi();
  try {
    const dataDir = join(work, "data");
    const absoluteDir = join(work, "outside");
    const config = { mode: "suite", httpUrl: contractServer.url, fakeAiUrl: fakeAi.url, enginePath: enginePath ?? join(root, "dist/engine.js"), absoluteDir };
    const run = await runHost(binary, ["--root", dataDir, "--timeout-ms", "60000", "--config", JSON.stringify(config), entry]);
    const outcomes = run.done?.payload?.outcomes ?? [];
    for (const outcome of outcomes) record(outcome.name, outcome.ok, outcome.error);
    const clean = run.done !== undefined && run.done.payload?.fatal === undefined && run.lines.every((line) => !line.startsWith("UNCAUGHT"));
    record("the suite ran to completion inside JSC without uncaught exceptions", clean && outcomes.length > 0,
      [run.done?.payload?.fatal, ...run.lines.filter((l) => l.startsWith("UNCAUGHT") || l.startsWith("CONSOLE")).slice(-15), run.stderr.trim(), `exit ${run.code} ${run.signal ?? ""}`].filter(Boolean).join("\n       "));
    record("log.write and emit reach the host's output natively", run.lines.some((l) => l.startsWith("LOG ") && l.includes("contract log line")) && run.lines.some((l) => l.startsWith("EVENT ") && l.includes("contract.ping")));
    record("an absolute path was written where it points, outside the data directory", existsSync(join(absoluteDir, "outside.txt")) && !existsSync(join(dataDir, absoluteDir, "outside.txt")));
    const leftovers = walk(dataDir).filter((path) => /\.tmp-\d/.test(path));
    record("no temporary files are left in the data directory", leftovers.length === 0, leftovers.slice(0, 5).join(", "));
    const sdkCalls = fakeAi.requests.filter((r) => r.url === "/v1/messages");
    record("the Anthropic SDK's requests reached the fake with its headers", sdkCalls.length > 0 && sdkCalls.every((r) => (r.headers["x-api-key"] === "test-key-not-secret" || r.headers.authorization === "Bearer test-key-not-secret") && r.headers["anthropic-version"] !== undefined && r.headers["content-type"] === "application/json"),
      JSON.stringify(Object.keys(sdkCalls[0]?.headers ?? {})));

    // The host itself: a top-level throw is reported, not a crash; a script that never finishes hits the cap.
    const throwing = join(work, "throws.js");
    writeFileSync(throwing, "__stintHost.timers.setTimeout(() => { throw new Error('boom in a timer'); }, 1);\n__stintHost.timers.setTimeout(() => __done(0, '{\"survived\":true}'), 20);\n");
    const survived = await runHost(binary, ["--root", join(work, "t1"), throwing], { timeoutMs: 10_000 });
    record("self-check: an exception in a timer callback is reported and the host keeps running",
      survived.code === 0 && survived.done?.payload?.survived === true && survived.lines.some((l) => l.startsWith("UNCAUGHT") && l.includes("boom in a timer")), survived.lines.join(" | "));
    const topLevel = join(work, "top-level.js");
    writeFileSync(topLevel, "throw new TypeError('thrown at top level');\n");
    const thrown = await runHost(binary, ["--root", join(work, "t2"), topLevel], { timeoutMs: 10_000 });
    record("self-check: a top-level throw fails the run with a report", thrown.code === 1 && thrown.lines.some((l) => l.includes("thrown at top level")), thrown.lines.join(" | "));
    const hanging = join(work, "hangs.js");
    writeFileSync(hanging, "__stintHost.timers.setTimeout(() => {}, 100000);\n");
    const capped = await runHost(binary, ["--root", join(work, "t3"), "--timeout-ms", "300", hanging], { timeoutMs: 10_000 });
    record("self-check: the wall-clock cap ends a run that never finishes", capped.code === 124 && capped.done?.code === 124, `exit ${capped.code}`);
  } finally {
    await contractServer.close();
    await fakeAi.close();
  }
}

try {
  await main();
} catch (error) {
  record("the JavaScriptCore suite harness", false, error?.stack ?? String(error));
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`RESULT ${JSON.stringify({ passed, failed })}`);
process.exit(failed === 0 ? 0 : 1);
