// Shared by the browser suites and the UI benchmark: build, a dev server in a child process, cleanup.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
export const artifacts = join(root, ".test-artifacts");
export const CHROMIUM = "/usr/lib/chromium/chromium";
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required", "--mute-audio"];

function newestIn(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when the panel or the CLI is missing or older than its sources. */
export function ensureBuilt() {
  const outputs = ["dist/cli.js", "dist/webview-ui/app.js", "dist/webview-ui/index.html"].map((p) => join(root, p));
  const oldest = Math.min(...outputs.map((p) => (existsSync(p) ? statSync(p).mtimeMs : 0)));
  const newest = Math.max(...["engine", "webview-ui"].map((d) => newestIn(join(root, d))));
  if (oldest > 0 && newest <= oldest && process.env.STINT_REBUILD !== "1") return;
  const result = spawnSync(process.execPath, [join(root, "Scripts/build.mjs"), "--quiet"], { stdio: "inherit", cwd: root });
  if (result.status !== 0) throw new Error("build failed");
}

/** Starts `stint serve --port 0` on a fresh data folder (or `dataDir`, prepared beforehand; removed on stop); resolves with its address once printed. */
export async function startServer({ demo = true, extraArgs = [], dataDir: prepared } = {}) {
  const dataDir = prepared ?? mkdtempSync(join(tmpdir(), "stint-ui-"));
  // STINT_TEST_CLI runs the suites against another build of the command (e.g. with extra features).
  const args = [process.env.STINT_TEST_CLI ?? join(root, "dist/cli.js"), "serve", "--port", "0", "--data-dir", dataDir, ...(demo ? ["--demo"] : []), ...extraArgs];
  // No provider keys: enrichment stays on the local provider and no test reaches the internet.
  const env = { ...process.env, STINT_DATA_DIR: dataDir };
  for (const name of ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_BASE_URL"]) delete env[name];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env });
  let log = "";
  child.stderr.on("data", (d) => (log += d));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stint serve did not print an address in 20 s: ${log}`)), 20_000);
    child.stdout.on("data", (d) => {
      log += d;
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.on("exit", (code) => reject(new Error(`stint serve exited with ${code}: ${log}`)));
  });
  const base = url.replace(/\/\?token=.*$/, "");
  const token = url.replace(/^.*token=/, "");
  return {
    url,
    base,
    token,
    dataDir,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGINT");
        await new Promise((resolve) => {
          const timer = setTimeout(() => {
            child.kill("SIGKILL");
            resolve();
          }, 5_000);
          child.on("exit", () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A tiny runner: named checks, counted, with the required last line. */
export function createRunner(suite) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  mkdirSync(artifacts, { recursive: true });
  return {
    async check(name, fn) {
      const started = performance.now();
      try {
        const note = await fn();
        if (note === "skip") {
          skipped++;
          console.log(`  skip ${name}`);
          return;
        }
        passed++;
        console.log(`  ok   ${name} (${Math.round(performance.now() - started)} ms)${typeof note === "string" ? ` — ${note}` : ""}`);
      } catch (error) {
        failed++;
        console.log(`  FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    fail(name, error) {
      failed++;
      console.log(`  FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`);
    },
    finish() {
      console.log(`${suite}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
      console.log(`RESULT ${JSON.stringify({ passed, failed })}`);
      process.exitCode = failed > 0 ? 1 : 0;
    },
  };
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export async function waitFor(fn, { timeoutMs = 10_000, intervalMs = 50, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}
