#!/usr/bin/env node
// `npm run bench`: runs every module in Scripts/bench/, each measuring the
// product's path against its peers in the same run, every contender the same
// number of runs; writes .bench/latest.json and prints a table.
//
//   npm run bench -- [--runs N] [--only storage,session] [--compare FILE] [--docs]
//   npm run bench -- --report [--docs] [--compare FILE]    (no run: reprint .bench/latest.json)
//
// --runs N       runs per contender (default 5; fewer only for a quick look while developing)
// --only a,b     modules whose file name starts with a or b (bare names work too); the other
//                figures of .bench/latest.json are kept
// --compare FILE prints each figure's change from an earlier JSON and flags moves beyond the spread
// --docs         writes docs/benchmarks.md and one SVG chart per figure under docs/benchmarks/
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { finish } from "./bench/_stats.mjs";
import { chartPath, compareReports, formatComparison, formatTable, markdown } from "./bench/_report.mjs";
import { chartSvg } from "./bench/_chart.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: "string", default: "5" }, only: { type: "string", multiple: true }, compare: { type: "string" }, docs: { type: "boolean" }, report: { type: "boolean" } },
});
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number, got ${args.runs}`);
const only = [...(args.only ?? []).flatMap((o) => o.split(",")), ...positionals].filter(Boolean);
const latestPath = join(root, ".bench/latest.json");

/** A figure from a module that reports one value per contender (one run): its value and peers become samples. */
const asRaw = (f) => (Array.isArray(f.samples) ? f : { ...f, samples: [f.value], peers: Object.fromEntries(Object.entries(f.peers ?? {}).map(([k, v]) => [k, [v]])), ...(f.detail === undefined ? {} : { note: f.detail }) });

/**
 * A module that takes `runs` itself returns figures with samples; one that
 * reports single values is run `runs` times whole, and each figure's samples
 * gathered across the runs, so every contender still gets the same runs.
 */
async function runModule(module, ctx) {
  const first = (await module.default(ctx)).map(asRaw);
  if (first.every((f) => f.samples.length > 1 || f.exact) || ctx.runs === 1 || module.takesRuns === true) return first;
  const byName = new Map(first.map((f) => [f.name, f]));
  for (let run = 1; run < ctx.runs; run++) {
    for (const f of (await module.default({ ...ctx, runs: 1 })).map(asRaw)) {
      const into = byName.get(f.name);
      if (into === undefined) continue;
      into.samples.push(...f.samples);
      for (const [peer, values] of Object.entries(f.peers)) (into.peers[peer] ??= []).push(...values);
    }
  }
  return [...byName.values()];
}

let report;
if (args.report) {
  if (!existsSync(latestPath)) throw new Error("no .bench/latest.json to report: run the bench first");
  report = JSON.parse(readFileSync(latestPath, "utf8"));
} else {
  const build = spawnSync(process.execPath, [join(root, "Scripts/build.mjs"), "--quiet"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(1);
  const benchDir = join(root, "Scripts/bench");
  const results = [];
  const errors = [];
  const modules = readdirSync(benchDir).filter((f) => f.endsWith(".mjs") && !f.startsWith("_")).sort();
  for (const file of modules) {
    if (only.length > 0 && !only.some((o) => file.startsWith(o))) continue;
    const started = performance.now();
    process.stderr.write(`bench ${file} (${runs} run${runs === 1 ? "" : "s"}) … `);
    try {
      const module = await import(pathToFileURL(join(benchDir, file)).href);
      for (const raw of await runModule(module, { root, runs })) results.push({ ...finish(raw), module: file });
      process.stderr.write(`${Math.round(performance.now() - started)} ms\n`);
    } catch (error) {
      errors.push({ module: file, error: String(error?.stack ?? error) });
      process.stderr.write(`failed: ${error?.message ?? error}\n`);
    }
  }
  const machine = `${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${process.platform}`;
  // A run of some modules updates their figures and keeps the others.
  let merged = results;
  if (only.length > 0 && existsSync(latestPath)) {
    try {
      const previous = JSON.parse(readFileSync(latestPath, "utf8")).results ?? [];
      const fresh = new Set(results.map((r) => r.name));
      const rerun = new Set(results.map((r) => r.module));
      merged = [...previous.filter((r) => !fresh.has(r.name) && !rerun.has(r.module)), ...results];
    } catch {
      merged = results;
    }
  }
  report = { at: new Date().toISOString(), machine, runs, results: merged, ...(errors.length ? { errors } : {}) };
  mkdirSync(join(root, ".bench"), { recursive: true });
  writeFileSync(latestPath, `${JSON.stringify(report, null, 2)}\n`);
}

console.log(formatTable(report.results));
console.log(`\n${report.machine}\n${args.report ? "from" : "written to"} .bench/latest.json`);

if (args.compare !== undefined) {
  const previous = JSON.parse(readFileSync(resolve(args.compare), "utf8"));
  console.log(`\nchange from ${args.compare} (${previous.at ?? "unknown time"}):\n`);
  console.log(formatComparison(compareReports(previous, report)));
}

if (args.docs) {
  const docs = join(root, "docs");
  const charts = join(docs, "benchmarks");
  rmSync(charts, { recursive: true, force: true });
  mkdirSync(charts, { recursive: true });
  for (const r of report.results) writeFileSync(join(docs, chartPath(r.name)), chartSvg(r));
  writeFileSync(join(docs, "benchmarks.md"), markdown(report));
  console.log(`docs/benchmarks.md and ${report.results.length} charts written`);
}

if (report.errors?.length) {
  console.error(`${report.errors.length} benchmark module(s) failed`);
  process.exit(1);
}
