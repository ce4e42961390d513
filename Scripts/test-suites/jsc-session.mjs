#!/usr/bin/env node
// A recording session inside real JavaScriptCore: the native test host
// (Scripts/jsc-host), the real dist/engine.js and the simulated recorder on
// real timers and real files, driven through StintEngine.handle as the Mac
// app drives it. Last line: RESULT {"passed":N,"failed":M}.
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildEngine, buildJscHost, bundleForJsc, root } from "../jsc-host/build.mjs";

const work = mkdtempSync(join(tmpdir(), "stint-jsc-session-"));
let passed = 0;
let failed = 0;
const record = (name, ok, detail) => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${!ok && detail ? `\n       ${detail}` : ""}`);
};

function runHost(binary, args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(killer);
      const lines = out.split("\n").filter(Boolean);
      const match = /^DONE (-?\d+) (.*)$/.exec(lines.find((line) => line.startsWith("DONE ")) ?? "");
      let payload;
      try {
        payload = match ? JSON.parse(match[2]) : undefined;
      } catch {
        payload = undefined;
      }
      resolve({ code, payload, lines, stderr: err });
    });
  });
}

try {
  const binary = buildJscHost();
  const enginePath = join(work, "engine.js");
  copyFileSync(buildEngine(), enginePath);
  const entry = await bundleForJsc(join(root, "engine/src/testing/jsc-session-entry.ts"), join(work, "jsc-session-entry.js"));
  const run = await runHost(binary, ["--root", join(work, "data"), "--timeout-ms", "45000", "--config", JSON.stringify({ enginePath }), entry], 60_000);
  const outcomes = run.payload?.outcomes ?? [];
  for (const outcome of outcomes) record(outcome.name, outcome.ok, outcome.error);
  const uncaught = run.lines.filter((line) => line.startsWith("UNCAUGHT"));
  record("the session ran to completion inside JSC without uncaught exceptions", run.payload !== undefined && run.payload.fatal === undefined && uncaught.length === 0 && outcomes.length > 0,
    [run.payload?.fatal, ...uncaught.slice(-10), ...run.lines.filter((l) => l.startsWith("CONSOLE")).slice(-10), run.stderr.trim(), `exit ${run.code}`].filter(Boolean).join("\n       "));
} catch (error) {
  record("the JavaScriptCore session suite harness", false, error?.stack ?? String(error));
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`RESULT ${JSON.stringify({ passed, failed })}`);
process.exit(failed === 0 ? 0 : 1);
