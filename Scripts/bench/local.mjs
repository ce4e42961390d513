// Local intelligence benchmarks (Node host, tesseract):
// - local.ocr_ms_per_screenshot: recognising one 1,280×800 simulated screenshot through the
//   host's vision port (process start included), median over the six activities' screens.
// - local.enrich_1h_s: recording nothing, enriching a simulated hour locally with OCR on
//   (peer: the same session with OCR off, STINT_OCR=off). BENCH_LOCAL_MINUTES shortens it.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { bundleForBench } from "./_bundle.mjs";

const loadEngine = (root) =>
  bundleForBench(
    root,
    "local",
    `
        export { createTesseractVision } from "./engine/node/vision-tesseract.ts";
        export { renderFrame, ACTIVITIES } from "./engine/src/simulated-recorder/index.ts";
        export { encodePng } from "./engine/src/image/index.ts";
        export { runCli } from "./engine/node/cli.ts";
        export { recordCommand } from "./engine/node/commands/record.ts";
        export { enrichCommand } from "./engine/node/commands/enrich.ts";
      `,
  );

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function io(env = {}) {
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (c) => (out += c));
  return { io: { stdout, stderr: new PassThrough(), env }, out: () => out };
}

async function ocrBench(engine, dir) {
  const vision = engine.createTesseractVision({ dataDir: dir, concurrency: 1 });
  if (vision === undefined) throw new Error("tesseract with its English model is not installed (Scripts/setup-system.sh)");
  const times = [];
  for (let scene = 0; scene < engine.ACTIVITIES.length; scene++) {
    const path = join(dir, `scene-${scene}.png`);
    writeFileSync(path, engine.encodePng({ width: 1280, height: 800, data: engine.renderFrame({ scene, variant: 0 }, 1280, 800, 1), channels: 3 }));
    await vision.recognizeText(path); // warm the page cache and the model files
    const started = performance.now();
    await vision.recognizeText(path);
    times.push(performance.now() - started);
  }
  return { median: median(times), count: times.length };
}

async function enrichBench(engine, dir, minutes) {
  const recorded = join(dir, "recorded");
  const run = io();
  const code = await engine.runCli(["record", "--name", "Bench hour", "--duration", `${minutes}m`, "--screenshot-interval", "5s", "--audio-segment", "60s", "--speed", "max", "--no-speech", "--json", "--data-dir", recorded], run.io, [engine.recordCommand]);
  if (code !== 0) throw new Error("recording the simulated session failed");
  const { sessionId, screenshots } = JSON.parse(run.out().trim().split("\n").at(-1));
  const timeEnrich = async (label, env) => {
    const data = join(dir, label);
    cpSync(recorded, data, { recursive: true });
    const started = performance.now();
    const enrich = io(env);
    if ((await engine.runCli(["enrich", sessionId, "--json", "--data-dir", data], enrich.io, [engine.enrichCommand])) !== 0) throw new Error(`local enrichment (${label}) failed`);
    return (performance.now() - started) / 1000;
  };
  return { withOcr: await timeEnrich("ocr", {}), withoutOcr: await timeEnrich("no-ocr", { STINT_OCR: "off" }), screenshots };
}

export default async function run({ root }) {
  const engine = await loadEngine(root);
  const dir = mkdtempSync(join(tmpdir(), "stint-bench-local-"));
  try {
    const ocr = await ocrBench(engine, dir);
    const minutes = Number(process.env.BENCH_LOCAL_MINUTES ?? 60);
    const enrich = await enrichBench(engine, dir, minutes);
    const scale = 60 / minutes;
    return [
      { name: "local.ocr_ms_per_screenshot", value: ocr.median, unit: "ms", better: "lower", goal: 400, detail: `median over ${ocr.count} screenshots of 1,280×800` },
      { name: "local.enrich_1h_s", value: enrich.withOcr * scale, unit: "s", better: "lower", goal: 120, peers: { ocr_off: enrich.withoutOcr * scale }, detail: `${minutes} simulated minutes (${enrich.screenshots ?? "?"} screenshots) scaled to the hour` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
