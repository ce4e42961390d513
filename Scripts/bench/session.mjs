// Session benchmarks: a simulated 8-hour session at one screenshot a second
// and 10-second audio segments, fed to the engine as the native recorder would
// (files on disk, notifications with digests and perceptual hashes), on a
// simulated clock so eight hours take about a minute.
// - session.cpu_ms_per_item: engine CPU (process.cpuUsage around the engine's
//   work only; writing the capture files is the recorder's) per captured item.
// - session.heap_growth_8h_mb: heap after the session minus heap after start,
//   both after a full GC.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { bundleForBench } from "./_bundle.mjs";

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

function getGc() {
  if (typeof globalThis.gc === "function") return { gc: globalThis.gc, how: "--expose-gc" };
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc");
    if (typeof gc === "function") return { gc, how: "v8.setFlagsFromString" };
  } catch {
    // fall through
  }
  return { gc: undefined, how: "none" };
}

const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/**
 * Records `hours` of simulated session; returns engine CPU per item and heap figures.
 * `nativePerceptualHash: false` makes the engine decode each PNG and dHash it in TypeScript.
 */
async function runSession(engineModule, { hours, nativePerceptualHash, gc, hostKind = "memory" }) {
  const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const dir = mkdtempSync(join(base, "stint-bench-session-"));
  try {
    const { createEngine, createStorageFeature, sessionFeature, createNodeHost, createMemoryHost, createSimulatedTime, encodePng, dHash, frameSpec, renderFrame, rgbToRgba, renderAudio, encodeWav, audioContentFor } = engineModule;
    // The recorder's side, prepared up front: a pool of real frames and segments.
    const time = createSimulatedTime();
    const memory = hostKind === "memory" ? createMemoryHost() : undefined;
    const clock = memory?.time?.clock ?? time.clock;
    const timers = memory?.time?.timers ?? time.timers;
    const sim = memory?.time ?? time;
    const host =
      memory !== undefined
        ? { ...memory, info: { ...memory.info, nativeHash: true } }
        : { ...createNodeHost({ dataDir: join(dir, "data"), logLevel: "warn" }), clock, timers };
    // Paths the recorder writes: absolute on disk for the Node host, in the memory file system otherwise.
    const poolDir = memory !== undefined ? "pool" : join(dir, "pool");
    const writePool = async (path, bytes) => (memory !== undefined ? memory.files.writeAtomic(path, bytes) : writeFileSync(path, bytes));
    const copy = async (from, to) => (memory !== undefined ? memory.files.copy(from, to) : copyFileSync(from, to));
    if (memory === undefined) mkdirSync(poolDir, { recursive: true });
    const width = 320;
    const height = 200;
    const frames = [];
    for (let i = 0; i < 96; i++) {
      const rgb = renderFrame(frameSpec(i), width, height, 1);
      const png = encodePng({ width, height, data: rgb, channels: 3 });
      const path = `${poolDir}/frame-${i}.png`;
      await writePool(path, png);
      const { createHash } = await import("node:crypto");
      frames.push({ path, size: png.length, sha256: createHash("sha256").update(png).digest("hex"), perceptualHash: dHash({ width, height, data: rgbToRgba(rgb) }) });
    }
    const segments = [];
    for (let i = 0; i < 6; i++) {
      const rendered = renderAudio(audioContentFor(i), 10_000, 16_000, i);
      const wav = encodeWav(rendered.samples, 16_000);
      const path = `${poolDir}/audio-${i}.wav`;
      await writePool(path, wav);
      const { createHash } = await import("node:crypto");
      segments.push({ path, size: wav.length, sha256: createHash("sha256").update(wav).digest("hex"), peak: rendered.peak });
    }

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
      screenshots: { enabled: true, intervalMs: 1000 },
      audio: { microphone: true, systemAudio: false, balance: 0.5, segmentMs: 10_000 },
    });
    const sessionId = started.sessionId;
    const captureDir = memory !== undefined ? `capture/${sessionId}` : join(dir, "data", "capture", sessionId);
    if (memory === undefined) mkdirSync(captureDir, { recursive: true });
    else await memory.files.mkdirp(captureDir);
    gc?.();
    const heapStart = process.memoryUsage().heapUsed;
    let heapPeak = heapStart;

    const seconds = Math.round(hours * 3600);
    let items = 0;
    let engineCpu = 0;
    let rejected = 0;
    // Per minute: the recorder writes its files first (not the engine's work), then the
    // engine receives one notification a second; CPU is read once around each minute.
    for (let minute = 0; minute * 60 < seconds; minute++) {
      const batch = [];
      for (let second = minute * 60; second < Math.min(seconds, (minute + 1) * 60); second++) {
        const frame = frames[second % frames.length];
        const shotPath = `${captureDir}/s-${second}.png`;
        await copy(frame.path, shotPath);
        const shot = { second, method: "recording.screenshot", params: { sessionId, sequence: second, path: shotPath, sha256: frame.sha256, size: frame.size, width, height, mimeType: "image/png", ...(nativePerceptualHash ? { perceptualHash: frame.perceptualHash } : {}) } };
        batch.push(shot);
        if (second % 10 === 9) {
          const index = (second - 9) / 10;
          const segment = segments[index % segments.length];
          const audioPath = `${captureDir}/a-${index}.wav`;
          await copy(segment.path, audioPath);
          batch.push({ second, method: "recording.audio", params: { sessionId, sequence: index, path: audioPath, sha256: segment.sha256, size: segment.size, durationMs: 10_000, sampleRate: 16_000, channels: 1, peak: segment.peak } });
        }
      }
      const before = cpuMs();
      for (const item of batch) {
        const due = item.second * 1000;
        const now = clock.elapsed();
        if (due > now) await sim.advance(due - now);
        const params = item.method === "recording.screenshot" ? { ...item.params, capturedAt: clock.now() } : { ...item.params, startedAt: clock.now() - 10_000 };
        const reply = await settle(engine.handle({ v: 1, method: item.method, params }));
        if (reply?.error) rejected++;
        items++;
      }
      engineCpu += cpuMs() - before;
      if (gc && minute % 60 === 59) {
        gc();
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      }
    }
    const finalNow = clock.elapsed();
    if (seconds * 1000 > finalNow) await sim.advance(seconds * 1000 - finalNow);
    gc?.();
    const heapEndRecording = process.memoryUsage().heapUsed;
    const before = cpuMs();
    const ended = await call("session.end", {});
    engineCpu += cpuMs() - before;
    gc?.();
    const heapAfterEnd = process.memoryUsage().heapUsed;
    heapPeak = Math.max(heapPeak, heapEndRecording, heapAfterEnd);
    await settle(engine.stop());
    if (rejected > 0) throw new Error(`${rejected} items were rejected`);
    const stored = ended.integrity.sources;
    if (stored.screenshots.items !== seconds) throw new Error(`expected ${seconds} screenshots, the session kept ${stored.screenshots.items}`);
    return {
      items,
      cpuPerItem: engineCpu / items,
      heapGrowthMb: (heapPeak - heapStart) / 2 ** 20,
      duplicates: stored.screenshots.duplicates,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function quick(root, hours, nativePerceptualHash = true) {
  const engineModule = await loadEngine(root);
  const started = performance.now();
  const result = await runSession(engineModule, { hours, nativePerceptualHash, gc: getGc().gc, hostKind: process.env.STINT_BENCH_HOST ?? "memory" });
  return { ...result, wallMs: Math.round(performance.now() - started) };
}

export default async function sessionBench({ root }) {
  const engineModule = await loadEngine(root);
  const { gc, how } = getGc();
  const main = await runSession(engineModule, { hours: 8, nativePerceptualHash: true, gc });
  // Peer: the same engine hashing every screenshot itself (PNG decode + dHash in TypeScript),
  // as on a host without native imaging; 20 minutes are enough for a per-item figure.
  const tsHash = await runSession(engineModule, { hours: 1 / 3, nativePerceptualHash: false, gc: undefined });
  // Peer: the same engine over the Node host's real files (tmpfs), so the host's file I/O
  // (native on the Mac) lands in this process's CPU too.
  const nodeFiles = await runSession(engineModule, { hours: 1 / 6, nativePerceptualHash: true, gc: undefined, hostKind: "node" });
  const note = gc === undefined ? "heap measured without a forced GC (run node with --expose-gc for a stable figure)" : `GC forced via ${how}`;
  return [
    {
      name: "session.cpu_ms_per_item",
      value: main.cpuPerItem,
      unit: "ms",
      better: "lower",
      peers: { "ts-perceptual-hash": tsHash.cpuPerItem, "with-node-file-io": nodeFiles.cpuPerItem },
      goal: 1,
      note: `${main.items} items (8 h at 1 screenshot/s + 10 s audio), ${main.duplicates} duplicates; engine over the in-memory host, digests and perceptual hashes from the recorder as on the Mac`,
    },
    {
      name: "session.heap_growth_8h_mb",
      value: main.heapGrowthMb,
      unit: "MB",
      better: "lower",
      peers: { "old-design-1h-target": 150 },
      goal: 20,
      note,
    },
  ];
}
