// Enrichment and media benchmarks. Every contender runs the same number of
// times in a rotated order; each figure is the median of its runs.
//
// Workload:
// - media.concat_30min_ms: 50 WAV segments of 36 s (48 kHz stereo 16-bit,
//   ≈ 346 MB) joined into one file by the Node host's streamed concat, which
//   writes a fixed header and fsyncs the file and its folder. Peers: `cat` of
//   the same files followed by `sync` of the output (the same durability;
//   the goal's base), `cat` alone (no flush: a floor no durable join can
//   reach), and sox. Each run starts with no dirty pages pending.
// - enrichment.cost_1h_usd / _no_device_speech_usd: enriching a simulated
//   hour against fake provider servers that bill as the real APIs do (exact,
//   one run); peer: a naive plan (every screenshot at full size, one request
//   each).
// - enrichment.redaction_mb_per_s: redacting 4 MB of transcript text with
//   secrets in it; peer: one pass of a single literal search. The false
//   positive rate over the corpus is exact.
// - enrichment.queue_recovery_ms: reopening a file-backed queue of 1,000 jobs
//   (100 stalled) until five run.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleForBench } from "./_bundle.mjs";
import { figure } from "./_stats.mjs";

/** Bundles the engine pieces the benchmark drives (TypeScript) into one ESM module. */
const loadEngine = (root) =>
  bundleForBench(
    root,
    "enrichment",
    `
        export { concatWavStreamed } from "./engine/node/media-ffmpeg.ts";
        export { createNodeHost } from "./engine/node/node-host.ts";
        export { buildWavHeader } from "./engine/src/media/index.ts";
        export { BackgroundEnrichmentManager, PersistentEnrichmentQueue, createAnthropicProvider, costOf, priceOf, ANTHROPIC_DEFAULT_MODELS, redact } from "./engine/src/enrichment/index.ts";
        export { positives, negatives } from "./engine/src/enrichment/redaction-corpus.test-helpers.ts";
        export { createStorage, createFileAdapter } from "./engine/src/storage/index.ts";
        export { createMemoryHost } from "./engine/src/host/index.ts";
        export { createFakeAi } from "./engine/src/testing/fake-ai/index.ts";
        export { createMemoryStore, createMemorySessionSource } from "./engine/src/enrichment/test-support.ts";
      `,
  );

function timeCommand(command, args) {
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: "ignore" });
  const ms = performance.now() - started;
  return result.status === 0 ? ms : undefined;
}

async function concatBench(engine, dir, rounds) {
  // 30 minutes as 50 segments of 36 s, 48 kHz stereo 16-bit (≈ 346 MB).
  const segments = [];
  const frames = 36 * 48_000;
  const data = Buffer.alloc(frames * 4);
  for (let i = 0; i < data.length; i += 2) data.writeInt16LE(((i * 7919) % 20000) - 10000, i);
  for (let i = 0; i < 50; i++) {
    const path = join(dir, `seg-${String(i).padStart(2, "0")}.wav`);
    writeFileSync(path, Buffer.concat([Buffer.from(engine.buildWavHeader({ audioFormat: 1, channels: 2, sampleRate: 48_000, bitsPerSample: 16 }, data.length)), data]));
    segments.push(path);
  }
  const out = join(dir, "out.wav");
  const runs = { stint: [], cat: [], cat_fsync: [], sox: [] };
  const tools = {
    stint: async () => {
      const started = performance.now();
      await engine.concatWavStreamed(segments, out);
      return performance.now() - started;
    },
    // cat fixes no header and flushes nothing: the floor.
    cat: async () => timeCommand("sh", ["-c", `cat ${segments.join(" ")} > ${out}`]),
    // The same copy made durable, as Stint's concat is (it fsyncs the file and its folder).
    cat_fsync: async () => timeCommand("sh", ["-c", `cat ${segments.join(" ")} > ${out} && sync ${out}`]),
    sox: async () => timeCommand("sox", [...segments, out]),
  };
  const names = Object.keys(tools);
  for (let round = 0; round < rounds; round++) {
    // Rotate the order and start each run with no dirty pages pending, so no tool pays for another's writeback.
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      rmSync(out, { force: true });
      spawnSync("sync");
      const ms = await tools[name]();
      if (ms !== undefined) runs[name].push(ms);
    }
  }
  rmSync(out, { force: true });
  const peers = { cat_fsync: runs.cat_fsync, cat: runs.cat };
  if (runs.sox.length > 0) peers.sox = runs.sox;
  return figure({ name: "media.concat_30min_ms", unit: "ms", better: "lower", samples: runs.stint, peers, goal: { peer: "cat_fsync", factor: 1.2 }, note: "50 segments, 346 MB, joined and made durable" });
}

function fakePng(width, height) {
  const bytes = new Uint8Array(64);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(bytes.buffer).setUint32(16, width);
  new DataView(bytes.buffer).setUint32(20, height);
  return bytes;
}

const SPEECH = [
  "Okay so the login timeout is still happening when the token refresh races the session check.",
  "I think we need to move the refresh into the queue so it never runs twice.",
  "Let me open the pull request and look at what Maria suggested yesterday.",
  "TODO write a test for the refresh race before merging this.",
  "We decided to ship the settings screen next week, after the review.",
  "The build is green again, moving on to the export format.",
];

/** One simulated hour: 720 screenshots every 5 s in runs of unchanged screens, 60 one-minute audio segments. */
function hourSession(sessions) {
  const id = "00000000-0000-4000-8000-0000000000aa";
  const screenshots = [];
  let run = 0;
  let unique = 0;
  for (let i = 0; i < 720; i++) {
    // Runs of 1–8 unchanged screens (deterministic), like reading, typing and waiting.
    const isDuplicate = run > 0;
    if (!isDuplicate) {
      run = 1 + ((i * 37) % 8);
      unique++;
    }
    run--;
    const attachmentId = `shot-${i}`;
    sessions.blobs.set(attachmentId, fakePng(2560, 1600));
    screenshots.push({ ref: String(i), t: i * 5000, attachmentId, width: 2560, height: 1600, isDuplicate, mimeType: "image/png" });
  }
  const audio = Array.from({ length: 60 }, (_, i) => ({ ref: String(i), tStart: i * 60_000, tEnd: (i + 1) * 60_000, attachmentId: `audio-${i}`, silent: false }));
  for (const a of audio) sessions.blobs.set(a.attachmentId, new Uint8Array(44));
  const markers = [{ ref: "m1", t: 1_200_000, label: "Switched to the settings screen" }, { ref: "m2", t: 2_700_000, label: "Review with Maria" }];
  sessions.sessions.set(id, { id, name: "One hour of work", status: "completed", durationMs: 3_600_000, screenshots, audio, markers, videoSegments: [] });
  return { id, unique };
}

async function settleUntil(host, done) {
  for (let i = 0; i < 200_000 && !done(); i++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (i % 5 === 4) await host.time.advance(1000);
  }
}

/** A WAV of `seconds` of 8 kHz mono 16-bit samples (a quiet tone), shared by every segment. */
function toneWav(engine, seconds) {
  const frames = seconds * 8000;
  const bytes = new Uint8Array(44 + frames * 2);
  bytes.set(engine.buildWavHeader({ audioFormat: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 }, frames * 2));
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < frames; i++) view.setInt16(44 + i * 2, Math.round(Math.sin(i / 9) * 800), true);
  return bytes;
}

/** Enriches the simulated hour once; `speech` says whether the host transcribes on device. */
async function enrichHour(engine, { speech }) {
  const fake = engine.createFakeAi();
  const host = engine.createMemoryHost({
    secrets: { ANTHROPIC_API_KEY: "sk-ant-bench", OPENAI_API_KEY: speech ? undefined : "sk-bench-openai" },
    providerBaseUrls: { anthropic: "http://fake-ai.local", openai: "http://fake-ai.local" },
  });
  if (speech) {
    // On-device speech, as the Mac host offers it: about 150 words a minute.
    host.speech = {
      async transcribe(path) {
        const n = Number(/audio-(\d+)/.exec(path)?.[1] ?? 0);
        return Array.from({ length: 10 }, (_, k) => ({ startMs: k * 6000, endMs: (k + 1) * 6000, text: SPEECH[(n + k) % SPEECH.length] }));
      },
    };
  }
  // Native downscaling, as the Mac host offers it (vImage): the fake servers size images from the PNG header.
  host.imaging = {
    async perceptualHash() {
      return "0000000000000000";
    },
    async downscale(_path, maxEdge) {
      const scale = maxEdge / 2560;
      const width = Math.round(2560 * scale);
      const height = Math.round(1600 * scale);
      return { bytes: fakePng(width, height), width, height, mimeType: "image/png" };
    },
  };
  const sessions = engine.createMemorySessionSource();
  const { id, unique } = hourSession(sessions);
  if (!speech) {
    const minute = toneWav(engine, 60);
    for (let i = 0; i < 60; i++) sessions.blobs.set(`audio-${i}`, minute);
  }
  const manager = new engine.BackgroundEnrichmentManager({ host, store: engine.createMemoryStore(), sessions, emit: () => {}, fetch: fake.fetch, batchPollMs: 1000 });
  await manager.initialize();
  // Without on-device speech the user gives the audio stage to OpenAI; everything else stays with Anthropic.
  // The Mac reads every screenshot's text on the device before it leaves; this host stands in with none found.
  host.vision = { recognizeText: async () => ({ text: "", confidence: 0, lines: [] }) };
  const job = await manager.enqueueSession(id, speech ? { provider: "anthropic" } : { provider: "anthropic", transcriptionProvider: "openai" });
  await settleUntil(host, () => ["completed", "failed"].includes(manager.getJobStatus(job.id).status));
  const done = manager.getJobStatus(job.id);
  if (done.status !== "completed") throw new Error(`cost bench job ${done.status}: ${done.lastError?.message}`);
  await manager.shutdown();
  return { done, unique, audioMinutes: fake.requests.reduce((sum, r) => sum + r.audioSeconds, 0) / 60 };
}

async function costBench(engine) {
  const onDevice = await enrichHour(engine, { speech: true });
  const cloudSpeech = await enrichHour(engine, { speech: false });

  // Naive: every screenshot at full size, one request each, a Haiku-class model, no batching. The
  // fake server counts each image as the real API does, after scaling it to at most 1,568 px.
  const naiveFake = engine.createFakeAi();
  const provider = engine.createAnthropicProvider({ apiKey: "k", baseURL: "http://fake-ai.local", fetch: naiveFake.fetch, models: { ...engine.ANTHROPIC_DEFAULT_MODELS, transcription: "none" }, now: () => 0 });
  let naive = 0;
  const signal = new AbortController().signal;
  for (let i = 0; i < 720; i++) {
    const result = await provider.analyseScreenshots([{ ref: String(i), t: i * 5000, bytes: fakePng(2560, 1600), mimeType: "image/png", width: 2560, height: 1600, path: "" }], { signal, timeoutMs: 60_000 });
    for (const usage of result.usage) naive += engine.costOf(usage);
  }
  // Cloud transcription of the hour at the same model's list price, for the naive peer too.
  const naiveSpeech = naive + 60 * (engine.priceOf("gpt-4o-mini-transcribe").perAudioMinute ?? 0);
  const round = (n) => Math.round(n * 10_000) / 10_000;
  // Billed amounts from deterministic fake servers: exact, one run.
  return [
    figure({
      name: "enrichment.cost_1h_usd",
      unit: "USD",
      better: "lower",
      samples: [round(onDevice.done.cost.actualUsd)],
      peers: { naive: [round(naive)] },
      goal: 0.1,
      exact: true,
      note: `${onDevice.unique} of 720 screenshots analysed (duplicates skipped), downscaled to the token budget, Message Batches; summary by ${engine.ANTHROPIC_DEFAULT_MODELS.summary}; audio transcribed on device; images priced after the API's 1,568 px scaling for every peer; the engine estimated ${round(onDevice.done.cost.estimatedUsd ?? 0)} USD before running`,
    }),
    figure({
      name: "enrichment.cost_1h_no_device_speech_usd",
      unit: "USD",
      better: "lower",
      samples: [round(cloudSpeech.done.cost.actualUsd)],
      peers: { naive: [round(naiveSpeech)] },
      goal: 0.3,
      exact: true,
      note: `as above, with ${Math.round(cloudSpeech.audioMinutes)} minutes of audio transcribed by OpenAI (the host has no on-device speech); estimated ${round(cloudSpeech.done.cost.estimatedUsd ?? 0)} USD`,
    }),
  ];
}

/** Transcript-like text with a secret every few kilobytes, `megabytes` long. */
function transcriptText(engine, megabytes) {
  const secrets = engine.positives(7, 2).map((item) => item.text);
  const parts = [];
  let length = 0;
  for (let i = 0; length < megabytes * 1_000_000; i++) {
    const line = i % 40 === 39 ? secrets[(i / 40) % secrets.length | 0] : `[${String(Math.floor(i / 12)).padStart(2, "0")}:${String((i * 5) % 60).padStart(2, "0")}] ${SPEECH[i % SPEECH.length]}`;
    parts.push(line);
    length += line.length + 1;
  }
  return parts.join("\n");
}

function redactionBench(engine, rounds) {
  const text = transcriptText(engine, 4);
  const megabytes = new TextEncoder().encode(text).length / 1_000_000;
  const runs = [];
  const floor = [];
  let count = 0;
  for (let round = 0; round < rounds; round++) {
    let started = performance.now();
    count = engine.redact(text, { emails: false }).count;
    runs.push(megabytes / ((performance.now() - started) / 1000));
    // The floor: one pass of a single literal search over the same text.
    started = performance.now();
    text.replace(/sk-ant-/g, "x");
    floor.push(megabytes / ((performance.now() - started) / 1000));
  }
  const negatives = engine.negatives();
  const positives = engine.positives();
  const falsePositives = negatives.filter((item) => engine.redact(item, { emails: false }).text !== item).length;
  const missed = positives.filter((item) => engine.redact(item.text, { emails: false }).text.includes(item.secret)).length;
  return [
    figure({ name: "enrichment.redaction_mb_per_s", unit: "MB/s", better: "higher", samples: runs, peers: { single_literal_pass: floor }, goal: 20, note: `${megabytes.toFixed(1)} MB of transcript text with ${count} secrets, every rule` }),
    figure({
      name: "enrichment.redaction_false_positive_rate",
      unit: "ratio",
      better: "lower",
      samples: [falsePositives / negatives.length],
      goal: 0,
      exact: true,
      note: `${negatives.length} near-miss negatives, ${positives.length} real-format positives (${new Set(positives.map((item) => item.kind)).size} kinds); missed positives: ${missed}`,
    }),
  ];
}

async function recoveryBench(engine, dir, rounds) {
  const template = join(dir, "template");
  const open = (folder) => {
    const host = engine.createNodeHost({ dataDir: folder, env: {} });
    return engine.createStorage({ host, adapter: engine.createFileAdapter({ files: host.files, crypto: host.crypto, root: "" }) }).then((storage) => ({ storage, host }));
  };
  const never = () => new Promise(() => {});
  {
    // Fill: 1,000 waiting jobs, a tenth of them then marked as running when the process died.
    const { storage, host } = await open(template);
    const filler = new engine.PersistentEnrichmentQueue({ store: storage.store, host, emit: () => {}, worker: never, maxActive: 0 });
    await filler.initialize();
    const jobs = await Promise.all(Array.from({ length: 1000 }, (_, i) => filler.enqueue({ sessionId: `10000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`, priority: ["high", "normal", "low"][i % 3] })));
    await Promise.all(jobs.filter((_, i) => i % 10 === 0).map((job) => filler.update(job.id, { status: "active", starts: 1, leaseExpiresAt: Date.now() - 60_000 })));
    await filler.shutdown();
    await storage.close();
  }
  const runs = [];
  for (let round = 0; round < rounds; round++) {
    // Each round reopens its own copy of the same folder, so no round sees another's recovery.
    const folder = join(dir, `round-${round}`);
    cpSync(template, folder, { recursive: true });
    const { storage, host } = await open(folder);
    const queue = new engine.PersistentEnrichmentQueue({ store: storage.store, host, emit: () => {}, worker: never });
    const started = performance.now();
    const recovered = await queue.initialize();
    runs.push(performance.now() - started);
    if (recovered.recovered !== 100) throw new Error(`expected 100 stalled jobs back in line, got ${JSON.stringify(recovered)}`);
    if (queue.status().active !== 5) throw new Error("recovered queue is not running five jobs");
    queue.abandon();
    await storage.close().catch(() => undefined);
  }
  // Writes the abandoned queues had started land in their own folders before the folder goes.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return figure({ name: "enrichment.queue_recovery_ms", unit: "ms", better: "lower", samples: runs, goal: 100, note: "1,000 persisted jobs (100 stalled with expired leases) reopened from the file store until five run" });
}

/** `STINT_BENCH_FILTER=cost|redaction` runs only the parts whose name matches (a quick look at one figure). */
const wanted = (part) => process.env.STINT_BENCH_FILTER === undefined || new RegExp(process.env.STINT_BENCH_FILTER).test(part);

/** Runs every contender `runs` times itself. */
export const takesRuns = true;

export default async function ({ root, runs }) {
  const engine = await loadEngine(root);
  const dir = mkdtempSync(join(tmpdir(), "stint-bench-enrichment-"));
  try {
    const results = [];
    if (wanted("concat")) {
      const concatDir = join(dir, "concat");
      mkdirSync(concatDir);
      results.push(await concatBench(engine, concatDir, runs));
      rmSync(concatDir, { recursive: true, force: true });
    }
    if (wanted("cost")) results.push(...(await costBench(engine)));
    if (wanted("redaction")) results.push(...redactionBench(engine, runs));
    if (wanted("recovery")) {
      const queueDir = join(dir, "queue");
      mkdirSync(queueDir);
      results.push(await recoveryBench(engine, queueDir, runs));
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
