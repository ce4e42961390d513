#!/usr/bin/env node
// `npm start`: builds what is missing or stale, then runs `stint serve` (the dev host).
// Extra arguments go to `stint serve`, e.g. `npm start -- --port 0`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outputs = ["dist/engine.js", "dist/cli.js", "dist/webview-ui/index.html"].map((p) => join(root, p));

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const oldestOutput = Math.min(...outputs.map((p) => (existsSync(p) ? statSync(p).mtimeMs : 0)));
const sources = ["engine", "webview-ui"].map((d) => join(root, d)).filter(existsSync);
if (oldestOutput === 0 || Math.max(...sources.map(newestSource)) > oldestOutput) {
  const build = spawnSync(process.execPath, [join(root, "Scripts/build.mjs")], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const child = spawn(process.execPath, [join(root, "dist/cli.js"), "serve", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
// Ctrl-C reaches the child through the terminal's process group; forward explicit signals too.
for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
process.on("SIGINT", () => {});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 130 : 0)));
