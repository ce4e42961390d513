#!/usr/bin/env node
// `npm run bench`: runs every module in Scripts/bench/, each measuring against
// its peers in the same run; writes .bench/latest.json and prints a table.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { spawnSync } from "node:child_process";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv.slice(2);
const benchDir = join(root, "Scripts/bench");
const build = spawnSync(process.execPath, [join(root, "Scripts/build.mjs"), "--quiet"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(1);

const results = [];
const errors = [];
const modules = existsSync(benchDir) ? readdirSync(benchDir).filter((f) => f.endsWith(".mjs") && !f.startsWith("_")).sort() : [];
for (const file of modules) {
  if (only.length > 0 && !only.some((o) => file.startsWith(o))) continue;
  const started = performance.now();
  process.stderr.write(`bench ${file} … `);
  try {
    const module = await import(pathToFileURL(join(benchDir, file)).href);
    const out = await module.default({ root });
    for (const result of out) results.push({ ...result, module: file });
    process.stderr.write(`${Math.round(performance.now() - started)} ms\n`);
  } catch (error) {
    errors.push({ module: file, error: String(error?.stack ?? error) });
    process.stderr.write(`failed: ${error?.message ?? error}\n`);
  }
}

const machine = `${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${process.platform}`;
// A run of some modules (`npm run bench -- storage`) updates their figures and keeps the others.
let merged = results;
const latestPath = join(root, ".bench/latest.json");
if (only.length > 0 && existsSync(latestPath)) {
  try {
    const previous = JSON.parse(readFileSync(latestPath, "utf8")).results ?? [];
    const fresh = new Set(results.map((r) => r.name));
    merged = [...previous.filter((r) => !fresh.has(r.name)), ...results];
  } catch {
    merged = results;
  }
}
const report = { at: new Date().toISOString(), machine, results: merged, ...(errors.length ? { errors } : {}) };
mkdirSync(join(root, ".bench"), { recursive: true });
writeFileSync(join(root, ".bench/latest.json"), `${JSON.stringify(report, null, 2)}\n`);

const fmt = (v) => (typeof v === "number" ? (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3)) : String(v));
const meets = (r) => {
  if (typeof r.goal !== "number") return "";
  return (r.better === "lower" ? r.value <= r.goal : r.value >= r.goal) ? "yes" : "NO";
};
const rows = [["name", "value", "unit", "goal", "met", "peers"]];
for (const r of results) rows.push([r.name, fmt(r.value), r.unit, r.goal === undefined ? "" : `${r.better === "lower" ? "≤" : "≥"} ${r.goal}`, meets(r), Object.entries(r.peers ?? {}).map(([k, v]) => `${k}=${fmt(v)}`).join(", ")]);
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
for (const row of rows) console.log(row.map((cell, i) => String(cell).padEnd(widths[i])).join("  "));
console.log(`\n${machine}\nwritten to .bench/latest.json`);
if (errors.length) {
  console.error(`${errors.length} benchmark module(s) failed`);
  process.exit(1);
}
