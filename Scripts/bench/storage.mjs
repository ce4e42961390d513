// Storage benchmarks against peers in the same run, on the real file system
// through the Node host: appending a 1-hour session with durable
// acknowledgement (peers: better-sqlite3 in WAL mode with synchronous=FULL,
// and the old monolithic JSON file rewritten on every append), hydrating an
// 8-hour session cold, and listing 10,000 sessions with a filter.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleForBench } from "./_bundle.mjs";

const SHOTS_1H = 720;
const AUDIO_1H = 120;
const BLOB_BYTES = 200 * 1024;
const IN_FLIGHT = 32; // a capture pipeline hands over items without waiting; at most this many are unacknowledged

const loadEngine = (root) =>
  bundleForBench(
    root,
    "storage",
    `
        export { createNodeHost } from "./engine/node/node-host.ts";
        export { createStorage, createFileAdapter } from "./engine/src/storage/index.ts";
      `,
  );

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Distinct pseudo-random bytes per item (cheap to make, incompressible enough). */
function blobFor(n, size = BLOB_BYTES) {
  const bytes = new Uint8Array(size);
  let state = (n + 1) * 2654435761;
  for (let i = 0; i < size; i += 4) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 255;
    bytes[i + 1] = (state >>> 8) & 255;
    bytes[i + 2] = (state >>> 16) & 255;
    bytes[i + 3] = (state >>> 24) & 255;
  }
  return bytes;
}

const uuid = (n) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const T0 = 1_700_000_000_000;

function items(shots, audio) {
  const out = [];
  for (let n = 0; n < shots; n++) out.push({ kind: "screenshot", n, at: T0 + n * 5000 });
  for (let n = 0; n < audio; n++) out.push({ kind: "audio", n, at: T0 + n * 30_000 });
  return out.sort((a, b) => a.at - b.at);
}

const shotRecord = (n, attachmentId) => ({ sequenceNumber: n, capturedAt: T0 + n * 5000, sessionTimeMs: n * 5000, attachmentId, width: 2880, height: 1800, perceptualHash: (n * 2654435761 >>> 0).toString(16).padStart(16, "0").slice(0, 16), isDuplicate: false });
const audioRecord = (n, attachmentId) => ({ sequenceNumber: n, attachmentId, capturedAt: T0 + n * 30_000, startSessionMs: n * 30_000, durationMs: 30_000, sampleRate: 48_000, channels: 1 });
const metadata = (id, i = 0, extra = {}) => ({ schemaVersion: 2, id, name: `Session ${i}`, status: "completed", startedAt: T0 + i * 3_600_000, endedAt: T0 + i * 3_600_000 + 3_000_000, activeDurationMs: 3_000_000, ...extra });

async function openStore(engine, dataDir) {
  const host = engine.createNodeHost({ dataDir, env: {}, logLevel: "error" });
  return engine.createStorage({ host, adapter: engine.createFileAdapter({ files: host.files, crypto: host.crypto, root: "" }) });
}

/** Runs `task(i)` for every i with at most `limit` unresolved at a time. */
async function pipeline(count, limit, task) {
  let next = 0;
  const workers = Array.from({ length: limit }, async () => {
    while (next < count) await task(next++);
  });
  await Promise.all(workers);
}

async function appendStint(engine, dir) {
  const storage = await openStore(engine, dir);
  const id = uuid(1);
  await storage.sessions.saveMetadata(metadata(id, 0, { status: "active" }));
  const list = items(SHOTS_1H, AUDIO_1H);
  const started = performance.now();
  await pipeline(list.length, IN_FLIGHT, async (i) => {
    const item = list[i];
    const bytes = blobFor(i);
    const info = item.kind === "screenshot" ? { type: "screenshot", mimeType: "image/png", width: 2880, height: 1800 } : { type: "audio", mimeType: "audio/wav", durationMs: 30_000 };
    // As capture does: the blob is queued, and the record's durable acknowledgement covers both.
    const attachment = await storage.attachments.saveAttachment(bytes, info, { durable: false });
    if (item.kind === "screenshot") await storage.sessions.appendScreenshot(id, shotRecord(item.n, attachment.id));
    else await storage.sessions.appendAudioSegment(id, audioRecord(item.n, attachment.id));
  });
  const seconds = (performance.now() - started) / 1000;
  await storage.close();
  const reopened = await openStore(engine, dir);
  const full = await reopened.sessions.getFullSession(id);
  if (full.screenshots.length !== SHOTS_1H || full.audioSegments.length !== AUDIO_1H) throw new Error("append bench lost items");
  await reopened.close();
  return list.length / seconds;
}

function openSqlite(path) {
  const Database = createRequire(import.meta.url)("better-sqlite3");
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(`
    CREATE TABLE IF NOT EXISTS blobs (sha TEXT PRIMARY KEY, bytes BLOB);
    CREATE TABLE IF NOT EXISTS items (session TEXT, kind TEXT, seq INTEGER, record TEXT, PRIMARY KEY (session, kind, seq));
    CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, status TEXT, started_at INTEGER, record TEXT);
    CREATE TABLE IF NOT EXISTS session_tags (session TEXT, tag TEXT, PRIMARY KEY (tag, session));
    CREATE INDEX IF NOT EXISTS sessions_by_start ON sessions (started_at);
  `);
  return db;
}

function appendSqlite(dir, batch) {
  const db = openSqlite(join(dir, "stint.sqlite"));
  const putBlob = db.prepare("INSERT OR IGNORE INTO blobs VALUES (?, ?)");
  const putItem = db.prepare("INSERT INTO items VALUES (?, ?, ?, ?)");
  const list = items(SHOTS_1H, AUDIO_1H);
  const id = uuid(1);
  const started = performance.now();
  const commit = db.transaction((slice) => {
    for (const { item, i } of slice) {
      const sha = `blob-${i}`;
      putBlob.run(sha, blobFor(i));
      putItem.run(id, item.kind, item.n, JSON.stringify(item.kind === "screenshot" ? shotRecord(item.n, sha) : audioRecord(item.n, sha)));
    }
  });
  for (let i = 0; i < list.length; i += batch) commit(list.slice(i, i + batch).map((item, j) => ({ item, i: i + j })));
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return list.length / seconds;
}

function writeDurably(path, bytes) {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, "w");
  writeSync(fd, bytes);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temp, path);
}

function appendMonolithic(dir) {
  // The old design: one JSON file per session holding every item, rewritten on every append.
  mkdirSync(join(dir, "attachments"), { recursive: true });
  const session = { ...metadata(uuid(1)), screenshots: [], audioSegments: [] };
  const list = items(SHOTS_1H, AUDIO_1H);
  const started = performance.now();
  for (const [i, item] of list.entries()) {
    writeDurably(join(dir, "attachments", `${i}.dat`), blobFor(i));
    if (item.kind === "screenshot") session.screenshots.push(shotRecord(item.n, `blob-${i}`));
    else session.audioSegments.push(audioRecord(item.n, `blob-${i}`));
    writeDurably(join(dir, "sessions.json"), JSON.stringify(session));
    const dirFd = openSync(dir, "r");
    fsyncSync(dirFd);
    closeSync(dirFd);
  }
  return list.length / ((performance.now() - started) / 1000);
}

async function hydrateStint(engine, dir) {
  const storage = await openStore(engine, dir);
  const id = uuid(8);
  await storage.sessions.saveMetadata(metadata(id, 0, { status: "active" }));
  const list = items(SHOTS_1H * 8, AUDIO_1H * 8);
  // Blob content does not matter for hydration (it reads records, not bytes): small distinct blobs keep the fixture quick.
  await pipeline(list.length, 64, async (i) => {
    const item = list[i];
    const attachment = await storage.attachments.saveAttachment(blobFor(i, 64), { type: item.kind === "screenshot" ? "screenshot" : "audio", mimeType: "application/octet-stream" });
    if (item.kind === "screenshot") await storage.sessions.appendScreenshot(id, shotRecord(item.n, attachment.id));
    else await storage.sessions.appendAudioSegment(id, audioRecord(item.n, attachment.id));
  });
  // Ending the session is what triggers its read-optimized pack, as in the app.
  await storage.sessions.updateMetadata(id, (current) => ({ ...current, status: "completed", endedAt: T0 + 8 * 3_600_000 }));
  await storage.close();
  const times = [];
  for (let run = 0; run < 7; run++) {
    const cold = await openStore(engine, dir); // a fresh instance: no caches
    const started = performance.now();
    const full = await cold.sessions.getFullSession(id);
    times.push(performance.now() - started);
    if (full.screenshots.length !== SHOTS_1H * 8 || full.audioSegments.length !== AUDIO_1H * 8) throw new Error("hydrate bench lost items");
    await cold.close();
  }
  return median(times);
}

function hydrateSqlite(dir) {
  const path = join(dir, "hydrate.sqlite");
  const db = openSqlite(path);
  const id = uuid(8);
  const put = db.prepare("INSERT INTO items VALUES (?, ?, ?, ?)");
  db.transaction(() => {
    for (const item of items(SHOTS_1H * 8, AUDIO_1H * 8)) put.run(id, item.kind, item.n, JSON.stringify(item.kind === "screenshot" ? shotRecord(item.n, "x") : audioRecord(item.n, "x")));
  })();
  db.close();
  const times = [];
  for (let run = 0; run < 7; run++) {
    const cold = openSqlite(path);
    const started = performance.now();
    const rows = cold.prepare("SELECT kind, record FROM items WHERE session = ? ORDER BY kind, seq").all(id);
    const screenshots = [];
    const audioSegments = [];
    for (const row of rows) (row.kind === "screenshot" ? screenshots : audioSegments).push(JSON.parse(row.record));
    times.push(performance.now() - started);
    if (screenshots.length !== SHOTS_1H * 8) throw new Error("sqlite hydrate lost items");
    cold.close();
  }
  return median(times);
}

const STATUSES = ["completed", "completed", "completed", "interrupted"];
const sessionFor = (i) => metadata(uuid(100_000 + i), i, { status: STATUSES[i % 4], tags: i % 3 === 0 ? ["deep-work"] : i % 3 === 1 ? ["meeting"] : [], topicIds: [`topic-${i % 20}`] });
const FILTER = { status: "completed", startAfter: T0 + 2000 * 3_600_000, startBefore: T0 + 6000 * 3_600_000, tags: ["deep-work"] };

async function listStint(engine, dir) {
  const storage = await openStore(engine, dir);
  for (let i = 0; i < 10_000; i += 1000) await storage.sessions.saveMetadataMany(Array.from({ length: 1000 }, (_, j) => sessionFor(i + j)));
  await storage.close();
  const times = [];
  let openMs = 0;
  let expected;
  for (let run = 0; run < 7; run++) {
    const openStarted = performance.now();
    const cold = await openStore(engine, dir);
    openMs = performance.now() - openStarted;
    const started = performance.now();
    const result = await cold.sessions.listMetadata(FILTER);
    times.push(performance.now() - started);
    expected ??= result.total;
    if (result.total !== expected || result.total === 0) throw new Error("list bench: unexpected result");
    await cold.close();
  }
  return { ms: median(times), openMs, total: expected };
}

function listSqlite(dir) {
  const path = join(dir, "list.sqlite");
  const db = openSqlite(path);
  const put = db.prepare("INSERT INTO sessions VALUES (?, ?, ?, ?)");
  const tag = db.prepare("INSERT INTO session_tags VALUES (?, ?)");
  db.transaction(() => {
    for (let i = 0; i < 10_000; i++) {
      const s = sessionFor(i);
      put.run(s.id, s.status, s.startedAt, JSON.stringify(s));
      for (const t of s.tags) tag.run(s.id, t);
    }
  })();
  db.close();
  const times = [];
  for (let run = 0; run < 7; run++) {
    const cold = openSqlite(path);
    const started = performance.now();
    const rows = cold
      .prepare("SELECT s.record FROM sessions s JOIN session_tags t ON t.session = s.id AND t.tag = ? WHERE s.status = ? AND s.started_at > ? AND s.started_at < ? ORDER BY s.started_at DESC")
      .all(FILTER.tags[0], FILTER.status, FILTER.startAfter, FILTER.startBefore)
      .map((row) => JSON.parse(row.record));
    times.push(performance.now() - started);
    if (rows.length === 0) throw new Error("sqlite list: no rows");
    cold.close();
  }
  return median(times);
}

/**
 * `stint list --json` as a whole process, answered through a running owner
 * (`stint serve` holds the folder; the command forwards over its loopback API)
 * against the same command opening the folder itself with no owner. Median of
 * alternating runs, so machine load falls on both alike.
 */
async function ownerForward(root, dataDir) {
  const cli = join(root, "dist", "cli.js");
  const env = { ...process.env, STINT_DATA_DIR: dataDir, STINT_WEBVIEW_DIR: join(root, "dist", "webview-ui") };
  const run = () => {
    const started = performance.now();
    const result = spawnSync(process.execPath, [cli, "list", "--json"], { env, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`stint list failed: ${result.stderr}`);
    return performance.now() - started;
  };
  run(); // creates the folder and warms the file cache
  const alone = [];
  const forwarded = [];
  for (let i = 0; i < 7; i++) alone.push(run());
  const owner = spawn(process.execPath, [cli, "serve", "--port", "0"], { env, stdio: "ignore" });
  try {
    for (let i = 0; i < 300; i++) {
      const record = existsSync(join(dataDir, "owner.json")) ? JSON.parse(readFileSync(join(dataDir, "owner.json"), "utf8")) : undefined;
      if (record?.pid === owner.pid && record.url !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    run();
    for (let i = 0; i < 7; i++) forwarded.push(run());
  } finally {
    owner.kill("SIGTERM");
    await new Promise((resolve) => owner.once("close", resolve));
  }
  return { forwarded: median(forwarded), alone: median(alone) };
}

/**
 * Runs in a child process with a libuv pool of 16 threads, for every
 * contender alike: the Node host's file calls run on that pool, and the
 * default 4 threads would cap how many flushes the disk can fold together
 * (the Mac host's dispatch queues have no such cap). better-sqlite3 is
 * synchronous and unaffected.
 */
export default async function storageBench({ root }) {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", root], {
    env: { ...process.env, UV_THREADPOOL_SIZE: "16" },
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (child.status !== 0) throw new Error(`storage bench child failed (${child.status})`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1));
}

if (process.argv[2] === "--child") {
  const results = await runAll({ root: process.argv[3] });
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

async function runAll({ root }) {
  const engine = await loadEngine(root);
  // On the repository's disk (not a tmpfs), so every flush is a real one.
  const base = mkdtempSync(join(root, ".bench", "storage-"));
  const sub = (name) => {
    const dir = join(base, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  try {
    const forward = await ownerForward(root, sub("owner-forward"));
    const forwardFigure = { name: "storage.owner_forward_ms", value: forward.forwarded, unit: "ms", better: "lower", peers: { "no-owner": forward.alone }, goal: Math.round(forward.alone * 1.5) };
    if (process.env.STORAGE_BENCH_ONLY === "owner_forward") return [forwardFigure];
    const stint = await appendStint(engine, sub("append-stint"));
    const sqlite = appendSqlite(sub("append-sqlite"), 1);
    const sqliteBatched = appendSqlite(sub("append-sqlite-20"), 20);
    const monolithic = appendMonolithic(sub("append-monolithic"));
    const hydrate = await hydrateStint(engine, sub("hydrate-stint"));
    const hydratePeer = hydrateSqlite(sub("hydrate-sqlite"));
    const list = await listStint(engine, sub("list-stint"));
    const listPeer = listSqlite(sub("list-sqlite"));
    writeFileSync(join(base, "done"), "");
    return [
      { name: "storage.append_1h_items_per_s", value: stint, unit: "items/s", better: "higher", peers: { sqlite, "sqlite-20-per-tx": sqliteBatched, "monolithic-json": monolithic }, goal: Math.round(sqlite) },
      { name: "storage.hydrate_8h_ms", value: hydrate, unit: "ms", better: "lower", peers: { sqlite: hydratePeer }, goal: 50 },
      { name: "storage.list_10k_ms", value: list.ms, unit: "ms", better: "lower", peers: { sqlite: listPeer, "stint-open-with-index": list.openMs }, goal: 10 },
      forwardFigure,
    ];
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
