// Storage writes and reads of one session, on the repository's disk (real
// flushes) through the Node host, in a child process with the shipped
// command's environment (libuv's default thread pool). Peer: better-sqlite3
// in WAL mode with synchronous=FULL. Every contender runs the same number of
// times, in rotated order; each figure is the median of the runs.
//
// Workload:
// - storage.append_durable_per_s / storage.append_p99_ms: as the recorder
//   does, one screenshot at a time: the recorder writes the ≈200 KB PNG into
//   the session's staging folder (the Node host's recorder call: write, fsync,
//   no folder flush), then the engine adopts it (registerExternalBlob) and
//   appends its record; the next item starts when both are durable. 150
//   items a run; items/s and the 99th percentile of one item's latency.
//   Peer: the same bytes and record in one sqlite transaction per item.
// - storage.append_1h_pipelined_items_per_s (secondary, kinder): an hour's
//   840 items (720 screenshots, 120 audio segments) with 32 in flight, so
//   group commit can fold flushes. Peers: sqlite one item and 20 items per
//   transaction.
// - storage.hydrate_8h_ms: reading an ended 8-hour session (5,760
//   screenshots, 960 audio segments) from a freshly opened store. Stint reads
//   its single-file pack; peers: sqlite reading the same session as one
//   packed row, and as one row per item. Secondary
//   storage.hydrate_8h_active_ms: the same session before it ended (no pack,
//   chunks), against sqlite's rows.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { figure, quantile, rounds } from "./_stats.mjs";
import { audioRecord, blobFor, inChild, items, loadEngine, metadata, openSqlite, openStore, pipeline, shotRecord, T0, uuid } from "./_storage-fixtures.mjs";

const DURABLE_ITEMS = 150;
const SHOTS_1H = 720;
const AUDIO_1H = 120;
const IN_FLIGHT = 32;

/** The run's screenshots, made before any clock starts (the recorder's encoder, not storage). */
function shots(run, count) {
  return Array.from({ length: count }, (_, n) => {
    const bytes = blobFor(run * 10_000 + n);
    return { n, bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
  });
}

async function appendDurableStint(engine, dir, run) {
  const storage = await openStore(engine, dir);
  const id = uuid(1);
  await storage.sessions.saveMetadata(metadata(id, 0, { status: "active" }));
  const list = shots(run, DURABLE_ITEMS);
  const latencies = [];
  const started = performance.now();
  for (const shot of list) {
    const t0 = performance.now();
    const path = `capture/${id}/s-${shot.n}.png`;
    await storage.host.files.writeAtomic(path, shot.bytes, { flushDir: false });
    const attachment = await storage.attachments.registerExternalBlob({ path, sha256: shot.sha256, size: shot.bytes.length, nativeHashed: true }, { type: "screenshot", mimeType: "image/png", width: 2880, height: 1800 }, { sessionId: id });
    await storage.sessions.appendScreenshot(id, shotRecord(shot.n, attachment.id));
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  await storage.close();
  const reopened = await openStore(engine, dir);
  const full = await reopened.sessions.getFullSession(id);
  await reopened.close();
  if (full.screenshots.length !== DURABLE_ITEMS) throw new Error(`durable append kept ${full.screenshots.length} of ${DURABLE_ITEMS}`);
  return { perS: DURABLE_ITEMS / seconds, p99: quantile(latencies, 0.99) };
}

function appendDurableSqlite(dir, run) {
  const db = openSqlite(join(dir, "stint.sqlite"));
  const putBlob = db.prepare("INSERT OR IGNORE INTO blobs VALUES (?, ?)");
  const putItem = db.prepare("INSERT INTO items VALUES (?, ?, ?, ?)");
  const id = uuid(1);
  const commit = db.transaction((shot) => {
    putBlob.run(shot.sha256, shot.bytes);
    putItem.run(id, "screenshot", shot.n, JSON.stringify(shotRecord(shot.n, shot.sha256)));
  });
  const list = shots(run, DURABLE_ITEMS);
  const latencies = [];
  const started = performance.now();
  for (const shot of list) {
    const t0 = performance.now();
    commit(shot);
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  const count = db.prepare("SELECT count(*) AS n FROM items").get().n;
  db.close();
  if (count !== DURABLE_ITEMS) throw new Error(`sqlite kept ${count} of ${DURABLE_ITEMS}`);
  return { perS: DURABLE_ITEMS / seconds, p99: quantile(latencies, 0.99) };
}

async function appendPipelinedStint(engine, dir) {
  const storage = await openStore(engine, dir);
  const id = uuid(1);
  await storage.sessions.saveMetadata(metadata(id, 0, { status: "active" }));
  const list = items(SHOTS_1H, AUDIO_1H);
  const started = performance.now();
  await pipeline(list.length, IN_FLIGHT, async (i) => {
    const item = list[i];
    const info = item.kind === "screenshot" ? { type: "screenshot", mimeType: "image/png", width: 2880, height: 1800 } : { type: "audio", mimeType: "audio/wav", durationMs: 30_000 };
    const attachment = await storage.attachments.saveAttachment(blobFor(i), info, { durable: false });
    if (item.kind === "screenshot") await storage.sessions.appendScreenshot(id, shotRecord(item.n, attachment.id));
    else await storage.sessions.appendAudioSegment(id, audioRecord(item.n, attachment.id));
  });
  const seconds = (performance.now() - started) / 1000;
  await storage.close();
  return list.length / seconds;
}

function appendPipelinedSqlite(dir, batch) {
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

const HOURS = 8;
const fullCount = () => ({ screenshots: SHOTS_1H * HOURS, audio: AUDIO_1H * HOURS });

/** Two 8-hour sessions in one folder: one ended (packed, as ending a session does), one still active (chunks). */
async function hydrateFixture(engine, dir) {
  const storage = await openStore(engine, dir);
  const list = items(SHOTS_1H * HOURS, AUDIO_1H * HOURS);
  for (const id of [uuid(8), uuid(9)]) {
    await storage.sessions.saveMetadata(metadata(id, 0, { status: "active" }));
    // Hydration reads records, not blob bytes: small distinct blobs keep the fixture quick.
    await pipeline(list.length, 64, async (i) => {
      const item = list[i];
      const attachment = await storage.attachments.saveAttachment(blobFor(i, 64), { type: item.kind === "screenshot" ? "screenshot" : "audio", mimeType: "application/octet-stream" });
      if (item.kind === "screenshot") await storage.sessions.appendScreenshot(id, shotRecord(item.n, attachment.id));
      else await storage.sessions.appendAudioSegment(id, audioRecord(item.n, attachment.id));
    });
  }
  await storage.sessions.updateMetadata(uuid(8), (current) => ({ ...current, status: "completed", endedAt: T0 + HOURS * 3_600_000 }));
  await storage.close();
}

async function hydrateStint(engine, dir, id) {
  const cold = await openStore(engine, dir); // a fresh instance: no caches
  const started = performance.now();
  const full = await cold.sessions.getFullSession(id);
  const ms = performance.now() - started;
  await cold.close();
  if (full.screenshots.length !== fullCount().screenshots || full.audioSegments.length !== fullCount().audio) throw new Error("hydrate bench lost items");
  return ms;
}

function hydrateSqliteFixture(path) {
  const db = openSqlite(path);
  const id = uuid(8);
  const put = db.prepare("INSERT INTO items VALUES (?, ?, ?, ?)");
  const screenshots = [];
  const audioSegments = [];
  db.transaction(() => {
    for (const item of items(SHOTS_1H * HOURS, AUDIO_1H * HOURS)) {
      const record = item.kind === "screenshot" ? shotRecord(item.n, "x") : audioRecord(item.n, "x");
      (item.kind === "screenshot" ? screenshots : audioSegments).push(record);
      put.run(id, item.kind, item.n, JSON.stringify(record));
    }
    db.prepare("INSERT INTO packs VALUES (?, ?)").run(id, JSON.stringify({ ...metadata(id), screenshots, audioSegments }));
  })();
  db.close();
}

function hydrateSqliteRows(path) {
  const db = openSqlite(path);
  const started = performance.now();
  const rows = db.prepare("SELECT kind, record FROM items WHERE session = ? ORDER BY kind, seq").all(uuid(8));
  const screenshots = [];
  const audioSegments = [];
  for (const row of rows) (row.kind === "screenshot" ? screenshots : audioSegments).push(JSON.parse(row.record));
  const ms = performance.now() - started;
  db.close();
  if (screenshots.length !== fullCount().screenshots || audioSegments.length !== fullCount().audio) throw new Error("sqlite hydrate lost items");
  return ms;
}

function hydrateSqlitePacked(path) {
  const db = openSqlite(path);
  const started = performance.now();
  const session = JSON.parse(db.prepare("SELECT record FROM packs WHERE session = ?").get(uuid(8)).record);
  const ms = performance.now() - started;
  db.close();
  if (session.screenshots.length !== fullCount().screenshots) throw new Error("sqlite packed hydrate lost items");
  return ms;
}

async function runAll({ root, runs }) {
  const engine = await loadEngine(root);
  // On the repository's disk (not a tmpfs), so every flush is a real one.
  mkdirSync(join(root, ".bench"), { recursive: true });
  const base = mkdtempSync(join(root, ".bench", "storage-"));
  let fresh = 0;
  // A new folder for every run, removed after it, so no run inherits another's files.
  const inFolder = async (fn) => {
    const dir = join(base, `run-${fresh++}`);
    mkdirSync(dir, { recursive: true });
    try {
      return await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const durable = await rounds(runs, {
      stint: (run) => inFolder((dir) => appendDurableStint(engine, dir, run)),
      sqlite: (run) => inFolder((dir) => appendDurableSqlite(dir, run)),
    });
    const pipelined = await rounds(runs, {
      stint: () => inFolder((dir) => appendPipelinedStint(engine, dir)),
      sqlite: () => inFolder((dir) => appendPipelinedSqlite(dir, 1)),
      "sqlite-20-per-tx": () => inFolder((dir) => appendPipelinedSqlite(dir, 20)),
    });
    const hydrateDir = join(base, "hydrate");
    await hydrateFixture(engine, hydrateDir);
    const sqlitePath = join(base, "hydrate.sqlite");
    hydrateSqliteFixture(sqlitePath);
    const hydrate = await rounds(runs, {
      stint: () => hydrateStint(engine, hydrateDir, uuid(8)),
      "stint-active": () => hydrateStint(engine, hydrateDir, uuid(9)),
      "sqlite-packed": () => hydrateSqlitePacked(sqlitePath),
      "sqlite-rows": () => hydrateSqliteRows(sqlitePath),
    });
    const per = (samples, key) => samples.map((s) => s[key]);
    return [
      figure({ name: "storage.append_durable_per_s", unit: "items/s", better: "higher", samples: per(durable.stint, "perS"), peers: { sqlite: per(durable.sqlite, "perS") }, goal: { peer: "sqlite", factor: 1 }, note: `${DURABLE_ITEMS} screenshots of 200 KB a run, each written by the recorder, adopted and its record appended, durable before the next` }),
      figure({ name: "storage.append_p99_ms", unit: "ms", better: "lower", samples: per(durable.stint, "p99"), peers: { sqlite: per(durable.sqlite, "p99") }, goal: { peer: "sqlite", factor: 2 }, note: "99th percentile of one screenshot's latency in the runs above" }),
      figure({ name: "storage.append_1h_pipelined_items_per_s", unit: "items/s", better: "higher", samples: pipelined.stint, peers: { sqlite: pipelined.sqlite, "sqlite-20-per-tx": pipelined["sqlite-20-per-tx"] }, secondary: true, note: `kinder than the recorder: ${IN_FLIGHT} items in flight so group commit folds flushes; the hour's 840 items` }),
      figure({ name: "storage.hydrate_8h_ms", unit: "ms", better: "lower", samples: hydrate.stint, peers: { "sqlite-packed": hydrate["sqlite-packed"], "sqlite-rows": hydrate["sqlite-rows"] }, goal: 50, note: "an ended 8-hour session (6,720 records) read whole from a freshly opened store; sqlite-packed holds it as one row, as Stint's pack is one file" }),
      figure({ name: "storage.hydrate_8h_active_ms", unit: "ms", better: "lower", samples: hydrate["stint-active"], peers: { "sqlite-rows": hydrate["sqlite-rows"] }, secondary: true, note: "the same session before it ended: chunks, no pack" }),
    ];
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/** Runs every contender `runs` times itself. */
export const takesRuns = true;

export default async function storageBench({ root, runs }) {
  return inChild(import.meta.url, { root, runs });
}

if (process.argv[2] === "--child") {
  const results = await runAll(JSON.parse(process.argv[3]));
  process.stdout.write(`${JSON.stringify(results)}\n`);
}
