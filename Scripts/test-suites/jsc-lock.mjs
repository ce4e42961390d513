#!/usr/bin/env node
// The data folder's one-writer lock between processes of different kinds: the
// JavaScriptCore host (flock in Scripts/jsc-host/lock.c, as the Mac app) against
// Node (flock through fs-ext, as `stint`). Each side must see the other's lock,
// handles within one process are counted, and the engine refuses to start on a
// folder another process owns. Last line: RESULT {"passed":N,"failed":M}.
import { spawn } from "node:child_process";
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildEngine, buildJscHost } from "../jsc-host/build.mjs";

const { flockSync } = createRequire(import.meta.url)("fs-ext");
const work = mkdtempSync(join(tmpdir(), "stint-jsc-lock-"));
let passed = 0;
let failed = 0;
const record = (name, ok, detail) => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${!ok && detail ? `\n       ${detail}` : ""}`);
};

/** Node's side: takes the lock without waiting; the fd while held, undefined when another process holds it. */
function nodeTryLock(path) {
  const fd = openSync(path, "a", 0o600);
  try {
    flockSync(fd, "exnb");
    return fd;
  } catch (error) {
    closeSync(fd);
    if (error.code === "EAGAIN" || error.code === "EWOULDBLOCK") return undefined;
    throw error;
  }
}

function nodeRelease(fd) {
  flockSync(fd, "un");
  closeSync(fd);
}

/**
 * Starts the host on a script and hands each `CONSOLE log STEP <name>` line to `onStep`
 * as it arrives; resolves with the DONE payload and all output when the host exits.
 */
function runStepped(binary, dataDir, script, onStep) {
  return new Promise((resolve) => {
    const child = spawn(binary, ["--root", dataDir, "--timeout-ms", "60000", script], { stdio: ["ignore", "pipe", "pipe"] });
    const lines = [];
    let buffered = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        lines.push(line);
        const step = /^CONSOLE log STEP (\S+)/.exec(line);
        if (step) onStep(step[1]);
      }
    });
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const killer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("close", (code) => {
      clearTimeout(killer);
      const done = lines.find((line) => line.startsWith("DONE "));
      let payload;
      try {
        payload = done === undefined ? undefined : JSON.parse(done.replace(/^DONE -?\d+ /, ""));
      } catch {
        payload = undefined;
      }
      resolve({ code, payload, lines, stderr });
    });
  });
}

// Waits for the runner to create `<name>` in the data directory (the runner's answer to a step).
const WAIT_FOR = `
const host = __stintHost;
const step = (name) => console.log("STEP " + name);
const waitFor = (name) => new Promise((resolve) => {
  const poll = () => host.files.stat(name).then((s) => (s === undefined ? host.timers.setTimeout(poll, 10) : resolve()));
  poll();
});
`;

async function main() {
  const binary = buildJscHost();
  const enginePath = join(work, "engine.js");
  // A private copy: other builds may rewrite dist/engine.js while this suite runs.
  copyFileSync(buildEngine(), enginePath);

  // 1. JSC holds the lock; Node must be refused until the last JSC handle is released.
  {
    const dataDir = join(work, "held-by-jsc");
    mkdirSync(dataDir, { recursive: true });
    const lockPath = join(dataDir, "owner.lock");
    const script = join(work, "holds.js");
    writeFileSync(script, `${WAIT_FOR}
(async () => {
  const first = await host.lock.tryLock("owner.lock");
  const second = await host.lock.tryLock("owner.lock");
  step("holding");
  await waitFor("answer-1");
  await first.release();
  await first.release(); // idempotent: must not drop the second handle
  step("one-released");
  await waitFor("answer-2");
  await second.release();
  step("all-released");
  await waitFor("answer-3");
  __done(0, JSON.stringify({ first: first !== undefined, second: second !== undefined }));
})().catch((e) => __done(1, JSON.stringify({ fatal: String(e && e.stack || e) })));
`);
    const seen = {};
    const result = await runStepped(binary, dataDir, script, (name) => {
      const fd = nodeTryLock(lockPath);
      seen[name] = fd !== undefined;
      if (fd !== undefined) nodeRelease(fd);
      const answer = { holding: "answer-1", "one-released": "answer-2", "all-released": "answer-3" }[name];
      if (answer !== undefined) writeFileSync(join(dataDir, answer), "");
    });
    record("jsc: tryLock twice in one process gives two handles", result.payload?.first === true && result.payload?.second === true, JSON.stringify(result.payload) + result.lines.slice(-5).join(" | "));
    record("jsc holds owner.lock: Node's flock is refused", seen.holding === false, JSON.stringify(seen));
    record("jsc releases one of two handles (twice): the lock is still held", seen["one-released"] === false, JSON.stringify(seen));
    record("jsc releases the last handle: Node takes the lock", seen["all-released"] === true, JSON.stringify(seen));
    record("the lock file is created 0600", (statSync(lockPath).mode & 0o777) === 0o600, (statSync(lockPath).mode & 0o777).toString(8));
  }

  // 2. Node holds the lock: JSC's tryLock resolves undefined and the engine refuses to start.
  {
    const dataDir = join(work, "held-by-node");
    mkdirSync(dataDir, { recursive: true });
    const fd = nodeTryLock(join(dataDir, "owner.lock"));
    const script = join(work, "refused.js");
    writeFileSync(script, `${WAIT_FOR}
__loadScript(${JSON.stringify(enginePath)});
(async () => {
  const held = await host.lock.tryLock("owner.lock");
  let start;
  try {
    await StintEngine.start(host);
    start = "started";
  } catch (error) {
    start = error && error.code;
  }
  __done(0, JSON.stringify({ held: held !== undefined, start }));
})().catch((e) => __done(1, JSON.stringify({ fatal: String(e && e.stack || e) })));
`);
    const refused = await runStepped(binary, dataDir, script, () => undefined);
    nodeRelease(fd);
    record("node holds owner.lock: jsc's tryLock resolves undefined", fd !== undefined && refused.payload?.held === false, JSON.stringify(refused.payload));
    record("node holds owner.lock: StintEngine.start in jsc fails with storage.locked", refused.payload?.start === "storage.locked", JSON.stringify(refused.payload) + refused.lines.slice(-5).join(" | "));

    // Released by Node, the same folder starts in JSC.
    const started = await runStepped(binary, dataDir, script, () => undefined);
    record("released by node: the engine starts in jsc over the same folder", started.payload?.held === true && started.payload?.start === "started", JSON.stringify(started.payload) + started.lines.slice(-5).join(" | "));
  }

  // 3. A path that climbs out is refused with a typed error.
  {
    const dataDir = join(work, "climb");
    mkdirSync(dataDir, { recursive: true });
    const script = join(work, "climb.js");
    writeFileSync(script, `${WAIT_FOR}
host.lock.tryLock("../owner.lock").then(() => __done(0, '{"code":"resolved"}'), (e) => __done(0, JSON.stringify({ code: e.code })));
`);
    const climbed = await runStepped(binary, dataDir, script, () => undefined);
    record("a lock path with .. is refused with EINVAL", climbed.payload?.code === "EINVAL", JSON.stringify(climbed.payload));
  }
}

try {
  await main();
} catch (error) {
  record("the lock suite harness", false, error?.stack ?? String(error));
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`RESULT ${JSON.stringify({ passed, failed })}`);
process.exit(failed === 0 ? 0 : 1);
