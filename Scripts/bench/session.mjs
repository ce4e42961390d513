// A recorded session fed to the engine as a recorder would: each capture's
// file written into the session's staging folder (the recorder's work, not
// timed), then one notification per item through the bridge, on a simulated
// clock so hours take minutes. The product's defaults: a screenshot every
// 5 s (640×400 PNGs, the Node host's simulated recorder's size; every file
// distinct, as real screens are) and 30-second audio segments. Every run is
// a new process (node --expose-gc), so its memory is the session's own.
//
// Workload:
// - session.cpu_ms_per_item: 20-minute runs of the Node host's path on the
//   repository's disk when the recorder supplies no perceptual hash: the
//   engine hashes each file (SHA-256 through the host), decodes the PNG and
//   takes its perceptual hash in TypeScript (the Node host offers no native
//   imaging), finds duplicates and appends; engine CPU (process.cpuUsage,
//   every thread) per item. Peer native-floor (same runs): reading each
//   file, SHA-256 and zlib-inflating the PNG's pixels with Node's native
//   code, the least any ingest must do.
// - session.rss_growth_8h_mb: 8-hour runs on the Node host as `stint record`
//   runs it (the simulated recorder supplies perceptual hashes; the engine
//   hashes each file), files on tmpfs: resident memory (array buffers and
//   native memory included) at its peak, sampled after a GC every ten
//   minutes and at the end, minus that after start. Secondary
//   session.cpu_ms_per_item_recorder_phash: engine CPU per item in those runs.
// - session.cpu_ms_per_item_recorder_hashes (secondary, kinder): 1-hour runs
//   of the Mac's division of work modelled on the in-memory host: the
//   recorder supplies digest and perceptual hash, the engine dedups and appends.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { crc32, inflateSync } from "node:zlib";
import { bundleForBench } from "./_bundle.mjs";
import { figure } from "./_stats.mjs";

const WIDTH = 640;
/** The product's defaults: a screenshot every 5 s, audio in 30-second segments. */
const SHOT_S = 5;
const AUDIO_S = 30;
const HEIGHT = 400;
/** STINT_BENCH_SESSION_SCALE shortens every run's session by that factor (a quick look while developing). */
const SCALE = Number(process.env.STINT_BENCH_SESSION_SCALE ?? 1);
/** Each kind of run: where its files live, what the recorder supplies, how long it records. */
const KINDS = {
  decode: { hours: 1 / 3, host: "node", disk: true, perceptualHashes: false, recorderHashes: false },
  node: { hours: 8, host: "node", disk: false, perceptualHashes: true, recorderHashes: false },
  memory: { hours: 1, host: "memory", disk: false, perceptualHashes: true, recorderHashes: true },
};

const loadEngine = (root) =>
  bundleForBench(
    root,
    "session",
    `
        export { createEngine } from "./engine/src/engine/index.ts";
        export { createStorageFeature } from "./engine/src/storage/index.ts";
        export { sessionFeature } from "./engine/src/session/index.ts";
        export { createNodeHost } from "./engine/node/node-host.ts";
        export { createSimulatedTime, createMemoryHost } from "./engine/src/host/index.ts";
        export { encodePng, dHash } from "./engine/src/image/index.ts";
        export { frameSpec, renderFrame, rgbToRgba, renderAudio, encodeWav, audioContentFor } from "./engine/src/simulated-recorder/index.ts";
      `,
  );

const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
const resident = () => process.memoryUsage().rss;
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** The pool frame with a tEXt chunk carrying the sequence number before IEND: a valid PNG whose bytes no other item has. */
function uniquePng(png, sequence) {
  const text = Buffer.from(`Sequence\0${sequence}`, "latin1");
  const chunk = Buffer.alloc(12 + text.length);
  chunk.writeUInt32BE(text.length, 0);
  chunk.write("tEXt", 4, "latin1");
  text.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + text.length)), 8 + text.length);
  const iend = png.length - 12;
  return Buffer.concat([png.subarray(0, iend), chunk, png.subarray(iend)]);
}

/** The pool segment with its last sample set from the sequence number. */
function uniqueWav(wav, sequence) {
  const copy = Buffer.from(wav);
  copy.writeInt16LE(sequence % 32_768, copy.length - 2);
  return copy;
}

/** The PNG's IDAT payload, inflated: the native part of decoding. */
function inflatePng(png) {
  const parts = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString("latin1", at + 4, at + 8) === "IDAT") parts.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return inflateSync(Buffer.concat(parts));
}

/** The recorder's side, prepared up front: a pool of real frames and segments. */
function pool({ encodePng, dHash, frameSpec, renderFrame, rgbToRgba, renderAudio, encodeWav, audioContentFor }, width = WIDTH, height = HEIGHT) {
  const frames = [];
  for (let i = 0; i < 96; i++) {
    const rgb = renderFrame(frameSpec(i), width, height, 1);
    frames.push({ bytes: Buffer.from(encodePng({ width, height, data: rgb, channels: 3 })), perceptualHash: dHash({ width, height, data: rgbToRgba(rgb) }) });
  }
  const segments = [];
  for (let i = 0; i < 6; i++) {
    const rendered = renderAudio(audioContentFor(i), AUDIO_S * 1000, 16_000, i);
    segments.push({ bytes: Buffer.from(encodeWav(rendered.samples, 16_000)), peak: rendered.peak });
  }
  return { frames, segments };
}

async function runSession(engineModule, { hours, recorderHashes, perceptualHashes, gc, hostKind, width, height, base }) {
  const dir = mkdtempSync(join(base, "session-"));
  try {
    const { createEngine, createStorageFeature, sessionFeature, createNodeHost, createMemoryHost, createSimulatedTime } = engineModule;
    const time = createSimulatedTime();
    const memory = hostKind === "memory" ? createMemoryHost() : undefined;
    const clock = memory?.time?.clock ?? time.clock;
    const timers = memory?.time?.timers ?? time.timers;
    const sim = memory?.time ?? time;
    const host =
      memory !== undefined
        ? { ...memory, info: { ...memory.info, nativeHash: true, recorderHashes } }
        : { ...createNodeHost({ dataDir: join(dir, "data"), logLevel: "warn" }), clock, timers };
    // Paths the recorder writes: absolute on disk for the Node host, in the memory file system otherwise.
    const write = async (path, bytes) => (memory !== undefined ? memory.files.writeAtomic(path, bytes) : writeFileSync(path, bytes));
    const { frames, segments } = pool(engineModule, width, height);

    const recorder = {
      async start() {},
      async pause() {},
      async resume() {},
      async stop() {},
      async addSource() {},
      async removeSource() {},
      async permissions() {
        return { screen: "granted", microphone: "granted", camera: "granted" };
      },
      async requestPermission() {
        return "granted";
      },
      async sources() {
        return [{ kind: "display", id: "display-1", name: "Display", width, height }];
      },
    };
    host.recorder = recorder;
    const settle = async (promise) => {
      let done = false;
      promise.then(
        () => (done = true),
        () => (done = true),
      );
      for (let i = 0; i < 5 && !done; i++) await new Promise((resolve) => setImmediate(resolve));
      while (!done) {
        // Let real I/O finish without spinning, then move simulated time (storage's group commit).
        await Promise.race([promise.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1))]);
        if (!done) await sim.advance(2);
      }
      return promise;
    };
    const engine = await settle(createEngine(host, [createStorageFeature(), sessionFeature]));
    let id = 0;
    const call = async (method, params) => {
      const reply = await settle(engine.handle({ v: 1, id: ++id, method, params }));
      if (reply?.error) throw new Error(`${method}: ${reply.error.message}`);
      return reply?.result;
    };
    const started = await call("session.start", {
      screenshots: { enabled: true, intervalMs: SHOT_S * 1000 },
      audio: { microphone: true, systemAudio: false, balance: 0.5, segmentMs: AUDIO_S * 1000 },
    });
    const sessionId = started.sessionId;
    const captureDir = memory !== undefined ? `capture/${sessionId}` : join(dir, "data", "capture", sessionId);
    if (memory === undefined) mkdirSync(captureDir, { recursive: true });
    else await memory.files.mkdirp(captureDir);
    gc?.();
    const rssStart = resident();
    let rssPeak = rssStart;

    const seconds = Math.round(hours * 3600);
    let items = 0;
    let engineCpu = 0;
    let rejected = 0;
    // Per minute: the recorder writes its files first (not the engine's work), then the
    // engine receives one notification a second; CPU is read once around each minute.
    for (let minute = 0; minute * 60 < seconds; minute++) {
      const batch = [];
      for (let second = minute * 60; second < Math.min(seconds, (minute + 1) * 60); second++) {
        if (second % SHOT_S !== 0) continue;
        const sequence = second / SHOT_S;
        const frame = frames[sequence % frames.length];
        const shotPath = `${captureDir}/s-${sequence}.png`;
        const png = uniquePng(frame.bytes, sequence);
        await write(shotPath, png);
        const shot = { second, method: "recording.screenshot", params: { sessionId, sequence, path: shotPath, sha256: sha256(png), size: png.length, width, height, mimeType: "image/png", ...(perceptualHashes ? { perceptualHash: frame.perceptualHash } : {}) } };
        batch.push(shot);
        if ((second + SHOT_S) % AUDIO_S === 0) {
          const index = (second + SHOT_S) / AUDIO_S - 1;
          const segment = segments[index % segments.length];
          const audioPath = `${captureDir}/a-${index}.wav`;
          const wav = uniqueWav(segment.bytes, index);
          await write(audioPath, wav);
          batch.push({ second, method: "recording.audio", params: { sessionId, sequence: index, path: audioPath, sha256: sha256(wav), size: wav.length, durationMs: AUDIO_S * 1000, sampleRate: 16_000, channels: 1, peak: segment.peak } });
        }
      }
      const before = cpuMs();
      for (const item of batch) {
        const due = item.second * 1000;
        const now = clock.elapsed();
        if (due > now) await sim.advance(due - now);
        const params = item.method === "recording.screenshot" ? { ...item.params, capturedAt: clock.now() } : { ...item.params, startedAt: clock.now() - AUDIO_S * 1000 };
        const reply = await settle(engine.handle({ v: 1, method: item.method, params }));
        if (reply?.error) rejected++;
        items++;
      }
      engineCpu += cpuMs() - before;
      if (minute % 10 === 9) {
        gc?.();
        rssPeak = Math.max(rssPeak, resident());
      }
    }
    const finalNow = clock.elapsed();
    if (seconds * 1000 > finalNow) await sim.advance(seconds * 1000 - finalNow);
    gc?.();
    const rssEndRecording = resident();
    const before = cpuMs();
    const ended = await call("session.end", {});
    engineCpu += cpuMs() - before;
    gc?.();
    const rssAfterEnd = resident();
    rssPeak = Math.max(rssPeak, rssEndRecording, rssAfterEnd);
    await settle(engine.stop());
    if (rejected > 0) throw new Error(`${rejected} items were rejected`);
    const stored = ended.integrity.sources;
    if (stored.screenshots.items !== Math.ceil(seconds / SHOT_S)) throw new Error(`expected ${Math.ceil(seconds / SHOT_S)} screenshots, the session kept ${stored.screenshots.items}`);
    return {
      items,
      cpuPerItem: engineCpu / items,
      rssGrowthMb: (rssPeak - rssStart) / 2 ** 20,
      duplicates: stored.screenshots.duplicates,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


/** The native floor: per item, read the file, SHA-256 it and inflate a PNG's pixels, with Node's C++ code. */
function nativeFloor(dir, frames, segments, items) {
  mkdirSync(dir, { recursive: true });
  let cpu = 0;
  for (let i = 0; i < items; i++) {
    const isAudio = i % 7 === 6; // one segment per six screenshots, as recorded
    const path = join(dir, isAudio ? "a.wav" : "s.png");
    writeFileSync(path, isAudio ? uniqueWav(segments[i % segments.length].bytes, i) : uniquePng(frames[i % frames.length].bytes, i));
    const before = cpuMs();
    const bytes = readFileSync(path);
    sha256(bytes);
    if (!isAudio) inflatePng(bytes);
    cpu += cpuMs() - before;
  }
  return cpu / items;
}

async function child({ root, kind }) {
  // Bundled once by the parent (sessionBench).
  const engineModule = await import(pathToFileURL(join(root, ".bench", "session-bench.mjs")).href);
  const gc = globalThis.gc;
  if (typeof gc !== "function") throw new Error("the session bench child needs --expose-gc");
  const spec = KINDS[kind];
  const base = mkdtempSync(spec.disk ? join(root, ".bench", "session-") : join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "stint-bench-session-"));
  try {
    const result = await runSession(engineModule, { ...spec, hours: spec.hours * SCALE, hostKind: spec.host, gc, width: WIDTH, height: HEIGHT, base });
    if (kind !== "decode") return result;
    const { frames, segments } = pool(engineModule);
    return { ...result, floor: nativeFloor(join(base, "floor"), frames, segments, 2_000) };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

function runChild(root, kind) {
  const env = { ...process.env };
  delete env.UV_THREADPOOL_SIZE;
  const out = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--child", JSON.stringify({ root, kind })], { env, encoding: "utf8", maxBuffer: 16 * 1024 * 1024, stdio: ["ignore", "pipe", "inherit"] });
  if (out.status !== 0) throw new Error(`session bench child (${kind}) failed (${out.status})`);
  return JSON.parse(out.stdout.trim().split("\n").at(-1));
}

/** Runs every contender `runs` times itself. */
export const takesRuns = true;

export default async function sessionBench({ root, runs }) {
  await loadEngine(root);
  const results = { decode: [], node: [], memory: [] };
  for (let run = 0; run < runs; run++) for (const kind of Object.keys(results)) results[kind].push(runChild(root, kind));
  const { decode, node, memory } = results;
  const hours = (kind) => `${Math.round(KINDS[kind].hours * SCALE * 60)} min`;
  return [
    figure({ name: "session.cpu_ms_per_item", unit: "ms", better: "lower", samples: decode.map((r) => r.cpuPerItem), peers: { "native-floor": decode.map((r) => r.floor) }, goal: 2, note: `${decode[0].items} items a run (${hours("decode")} at 1 screenshot/s + 10 s audio), Node host on disk: the engine hashes, decodes the PNG, dedups and appends` }),
    figure({ name: "session.rss_growth_8h_mb", unit: "MB", better: "lower", samples: node.map((r) => r.rssGrowthMb), goal: 40, note: `resident memory growth (array buffers and native memory included) over ${hours("node")}, ${node[0].items} items, on the Node host with the simulated recorder's perceptual hashes, as \`stint record\` runs` }),
    figure({ name: "session.cpu_ms_per_item_recorder_phash", unit: "ms", better: "lower", samples: node.map((r) => r.cpuPerItem), secondary: true, note: "the runs above: the recorder supplies the perceptual hash (no PNG decode), the engine still hashes each file" }),
    figure({ name: "session.cpu_ms_per_item_recorder_hashes", unit: "ms", better: "lower", samples: memory.map((r) => r.cpuPerItem), secondary: true, note: `${hours("memory")} on the in-memory host with digests and perceptual hashes from the recorder, as on the Mac` }),
  ];
}

if (process.argv[2] === "--child") {
  const result = await child(JSON.parse(process.argv[3]));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
