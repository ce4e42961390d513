#!/usr/bin/env node
// Runs the README's Quick start as written, in a fresh clone of the committed HEAD:
// the first command must bring up the review panel at the printed address (token
// required), and stop gracefully on Ctrl-C. The second command is CI's own entry
// point (`bash .ci/run`), which runs this very suite, so it is checked, not run.
// Last line: RESULT {"passed":N,"failed":M}.
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const START_TIMEOUT_MS = Number(process.env.QUICKSTART_TIMEOUT_MS ?? 8 * 60_000);
const STOP_TIMEOUT_MS = 30_000;
const DEFAULT_PORT = 4815;

let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ` — ${detail}` : ""}`);
  return ok;
}

/** The shell commands in the Quick start section's code blocks, comments and blank lines dropped. */
export function quickStartCommands(readme) {
  const start = readme.search(/^## Quick start\s*$/m);
  if (start < 0) return undefined;
  const rest = readme.slice(start + 1);
  const end = rest.search(/^## /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  const commands = [];
  for (const block of section.matchAll(/```(?:sh|bash|shell|console)?\n([\s\S]*?)```/g)) {
    for (const line of block[1].split("\n")) {
      const command = line.replace(/(^|\s)#.*$/, "").trim();
      if (command !== "") commands.push(command);
    }
  }
  return commands;
}

function portFree(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

const temp = mkdtempSync(join(tmpdir(), "stint-quickstart-"));
let child;
try {
  const commands = quickStartCommands(readFileSync(join(root, "README.md"), "utf8"));
  check("README has a Quick start with exactly two commands", commands?.length === 2, JSON.stringify(commands));
  const [first, second] = commands ?? [];

  if (second !== undefined) {
    const ciRun = join(root, ".ci", "run");
    let executable = existsSync(ciRun);
    try {
      accessSync(ciRun, constants.R_OK);
    } catch {
      executable = false;
    }
    check(
      "second command is CI's entry point",
      second === "bash .ci/run" && executable,
      "`bash .ci/run` is what CI itself runs (system packages, npm ci, npm test, which includes this suite); not re-run here to avoid recursion",
    );
  }

  if (first !== undefined) {
    const clone = join(temp, "clone");
    const isRepo = spawnSync("git", ["-C", root, "rev-parse", "--git-dir"], { encoding: "utf8" }).status === 0;
    if (isRepo) {
      const cloned = spawnSync("git", ["clone", "--quiet", "--no-hardlinks", root, clone], { encoding: "utf8" });
      const head = spawnSync("git", ["-C", clone, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout.trim();
      check("fresh clone of the committed HEAD", cloned.status === 0, cloned.status === 0 ? `HEAD ${head}` : cloned.stderr.trim());
    } else {
      // A source tree without git (an unpacked archive): a copy without what the command is meant to create.
      const skip = new Set(["node_modules", "dist", ".git", ".test-artifacts", ".bench", ".build"]);
      cpSync(root, clone, { recursive: true, filter: (path) => !skip.has(basename(path)) });
      check("fresh copy of the source tree (not a git checkout)", existsSync(join(clone, "package.json")));
    }

    // The command binds the default port; wait a little if another run holds it, rather than fail on a neighbour.
    for (let i = 0; i < 30 && !(await portFree(DEFAULT_PORT)); i++) await sleep(1000);

    console.log(`running in the clone: ${first}`);
    const started = Date.now();
    const data = join(temp, "data");
    child = spawn("bash", ["-c", first], {
      cwd: clone,
      detached: true, // its own process group, so SIGINT reaches every process in it as Ctrl-C would
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, STINT_DATA_DIR: data, npm_config_prefer_offline: "true", npm_config_audit: "false", npm_config_fund: "false", FORCE_COLOR: "0" },
    });
    let output = "";
    let exit;
    const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve((exit = { code, signal }))));
    const urlPattern = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+)/;
    const address = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), START_TIMEOUT_MS);
      const onData = (chunk) => {
        output += chunk;
        const match = urlPattern.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve({ url: match[0], port: Number(match[1]), token: match[2] });
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      void exited.then(() => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    if (!check("first command prints the panel's address", address !== undefined, address ? `${address.url.replace(/token=.*/, "token=…")} after ${seconds} s` : `no address after ${seconds} s${exit ? `; exited ${JSON.stringify(exit)}` : ""}\n${output.slice(-3000)}`)) {
      failed += 4;
    } else {
      const page = await fetch(address.url).catch((error) => ({ status: 0, error }));
      const type = page.headers?.get("content-type") ?? "";
      const body = page.status === 200 ? await page.text() : "";
      check("the panel loads with the token", page.status === 200 && type.includes("text/html") && /<html/i.test(body), `${page.status} ${type}`);
      const bare = await fetch(`http://127.0.0.1:${address.port}/`).catch(() => ({ status: 0 }));
      check("refused without the token", bare.status === 401 || bare.status === 403, String(bare.status));
      const wrong = await fetch(`http://127.0.0.1:${address.port}/?token=${"x".repeat(address.token.length)}`).catch(() => ({ status: 0 }));
      check("refused with a wrong token", wrong.status === 401 || wrong.status === 403, String(wrong.status));
      console.log(output.split("\n").filter((line) => /provider|Stint is running|Ctrl-C/i.test(line)).map((line) => `  | ${line.replace(/token=[A-Za-z0-9_-]+/, "token=…")}`).join("\n"));

      // Ctrl-C in a terminal signals the whole foreground group: npm, start.mjs and `stint serve`.
      const before = output.length;
      process.kill(-child.pid, "SIGINT");
      const stopped = await Promise.race([exited, sleep(STOP_TIMEOUT_MS).then(() => undefined)]);
      // The shell and npm die with the signal at once; `stint serve` then flushes and
      // checkpoints. Graceful means every process in the group is gone within the bound.
      const drainUntil = Date.now() + STOP_TIMEOUT_MS;
      while (groupAlive(child.pid) && Date.now() < drainUntil) await sleep(200);
      const leftovers = groupAlive(child.pid);
      const after = output.slice(before);
      // npm reports a child's Ctrl-C as its own death by SIGINT (or 130); the server's own exit is what must be clean.
      const exitOk = stopped !== undefined && (stopped.code === 0 || stopped.code === 130 || stopped.signal === "SIGINT");
      const clean = /Stopping/.test(after) && !/\n\s+at |Error:|ERR!/.test(after);
      check(
        "Ctrl-C stops it gracefully",
        exitOk && clean && !leftovers,
        stopped === undefined ? `still running after ${STOP_TIMEOUT_MS / 1000} s` : `exit ${JSON.stringify(stopped)}; ${clean ? "server said it was stopping, no errors" : `output after Ctrl-C: ${after.trim().slice(-1500)}`}${leftovers ? "; processes left in the group" : ""}`,
      );
    }
  }
} catch (error) {
  check("quick start suite ran", false, error instanceof Error ? error.stack ?? error.message : String(error));
} finally {
  if (child?.pid !== undefined && groupAlive(child.pid)) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  rmSync(temp, { recursive: true, force: true });
}

console.log(`RESULT ${JSON.stringify({ passed, failed })}`);
process.exit(failed > 0 ? 1 : 0);
