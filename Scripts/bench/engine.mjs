// Engine benchmarks in the real JavaScriptCore host (Scripts/jsc-host).
//
// Workload:
// - engine.jsc_cold_start_ms: a new host process per run, timed by this
//   process from spawning it to reading the answer to `engine.version` on its
//   output (process start, context creation, engine.js evaluated, started,
//   answered). Peer bare-host: the same host process answering a script that
//   loads nothing, so the floor the host itself sets. Contenders alternate.
// - engine.jsc_start_from_context_ms (secondary, narrower): the same runs
//   timed inside the host from context creation to the answer.
// - engine.bundle_kb: dist/engine.js's size (exact; gzip in the note).
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildJscHost } from "../jsc-host/build.mjs";
import { figure, median, rounds } from "./_stats.mjs";

const MIN_RUNS = 10; // a process start is cheap: at least ten of each

// Plain script run by the host: nothing but engine.js is evaluated in the measured span.
const COLD_START = `
const origin = __hostTimes.contextCreatedMs;
const host = __stintHost;
__loadScript(__hostConfig.enginePath);
const loadMs = host.clock.elapsed() - origin;
StintEngine.start(host)
  .then(() => {
    const startMs = host.clock.elapsed() - origin;
    return StintEngine.handle({ v: 1, id: 1, method: "engine.version", params: {} }).then((reply) => {
      const coldStartMs = host.clock.elapsed() - origin;
      if (!reply || !reply.result) throw new Error("engine.version failed: " + JSON.stringify(reply));
      __done(0, JSON.stringify({ coldStartMs, loadMs, startMs }));
    });
  })
  .catch((error) => __done(1, JSON.stringify({ error: String(error) })));
`;

const round = (value) => Math.round(value * 100) / 100;

function runOnce(binary, args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let answeredMs;
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (answeredMs === undefined && /^DONE \d+ .*\n/m.test(out)) answeredMs = performance.now() - started;
    });
    child.on("close", (code) => {
      const done = /^DONE (\d+) (.*)$/m.exec(out);
      if (code !== 0 || !done || answeredMs === undefined) return reject(new Error(`cold start run failed (exit ${code}): ${out.slice(-500)}`));
      resolve({ ...JSON.parse(done[2]), answeredMs });
    });
  });
}

const BARE = `__done(0, JSON.stringify({ coldStartMs: __stintHost.clock.elapsed() - __hostTimes.contextCreatedMs }));`;

/** Runs every contender `runs` times itself. */
export const takesRuns = true;

export default async function engineBench({ root, runs }) {
  const work = mkdtempSync(join(tmpdir(), "stint-bench-engine-"));
  try {
    const enginePath = join(work, "engine.js");
    copyFileSync(join(root, "dist/engine.js"), enginePath);
    const source = readFileSync(enginePath);
    const kb = source.length / 1024;
    const gzipKb = gzipSync(source).length / 1024;

    const binary = buildJscHost();
    const entry = join(work, "cold-start.js");
    writeFileSync(entry, COLD_START);
    const bare = join(work, "bare.js");
    writeFileSync(bare, BARE);
    let n = 0;
    // A new, empty data folder per run, as the app creates it before starting the engine.
    const fresh = () => {
      const dir = join(work, `data-${n++}`);
      mkdirSync(dir);
      return dir;
    };
    const host = (script) => runOnce(binary, ["--root", fresh(), "--timeout-ms", "30000", "--config", JSON.stringify({ enginePath }), script]);
    const samples = await rounds(Math.max(runs, MIN_RUNS), { stint: () => host(entry), bare: () => host(bare) });
    const pick = (list, key) => list.map((r) => round(r[key]));
    return [
      figure({ name: "engine.bundle_kb", unit: "KB", better: "lower", samples: [round(kb)], goal: 700, exact: true, note: `${round(gzipKb)} KB gzipped` }),
      figure({
        name: "engine.jsc_cold_start_ms",
        unit: "ms",
        better: "lower",
        samples: pick(samples.stint, "answeredMs"),
        peers: { "bare-host": pick(samples.bare, "answeredMs") },
        goal: 100,
        note: `from spawning the host process to its answer; inside it (medians from context creation): engine.js evaluated ${round(median(pick(samples.stint, "loadMs")))} ms, started ${round(median(pick(samples.stint, "startMs")))} ms`,
      }),
      figure({ name: "engine.jsc_start_from_context_ms", unit: "ms", better: "lower", samples: pick(samples.stint, "coldStartMs"), peers: { "bare-host": pick(samples.bare, "coldStartMs") }, secondary: true, note: "the same runs timed inside the host from context creation to the answer" }),
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
