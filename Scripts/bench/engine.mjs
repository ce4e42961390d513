// Engine benchmarks: the bundle's size, and its cold start inside the real
// JavaScriptCore host (context creation → engine.js loaded → started →
// engine.version answered), median of 10 fresh processes.
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildJscHost } from "../jsc-host/build.mjs";

const RUNS = 10;

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

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (value) => Math.round(value * 100) / 100;

function runOnce(binary, args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("close", (code) => {
      const wallMs = performance.now() - started;
      const done = /^DONE (\d+) (.*)$/m.exec(out);
      if (code !== 0 || !done) return reject(new Error(`cold start run failed (exit ${code}): ${out.slice(-500)}`));
      resolve({ ...JSON.parse(done[2]), wallMs });
    });
  });
}

export default async function engineBench({ root }) {
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
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const config = { enginePath };
      runs.push(await runOnce(binary, ["--root", join(work, `data-${i}`), "--timeout-ms", "30000", "--config", JSON.stringify(config), entry]));
    }
    const pick = (key) => round(median(runs.map((r) => r[key])));
    return [
      { name: "engine.bundle_kb", value: round(kb), unit: "KB", better: "lower", goal: 700, peers: { gzip_kb: round(gzipKb) } },
      {
        name: "engine.jsc_cold_start_ms",
        value: pick("coldStartMs"),
        unit: "ms",
        better: "lower",
        goal: 100,
        peers: {
          // Where the time goes (medians, from context creation): engine.js evaluated, start() resolved.
          eval_done_ms: pick("loadMs"),
          start_done_ms: pick("startMs"),
          max_ms: round(Math.max(...runs.map((r) => r.coldStartMs))),
          process_wall_ms: pick("wallMs"),
        },
      },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
