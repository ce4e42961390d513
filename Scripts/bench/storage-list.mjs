// Listing a library of 10,000 sessions with a filter (status, a time window
// and a tag; about 800 match), on the repository's disk through the Node
// host, with the shipped command's environment. Peer: better-sqlite3 (WAL,
// synchronous=FULL) with an index on the start time and a tag table. Every
// contender runs the same number of times, in rotated order.
//
// Workload:
// - storage.list_10k_cold_ms: from a new process (its modules already
//   loaded): open the data folder, list, parse; the peer opens its database,
//   queries and parses the rows. Neither process has read the library before.
// - storage.list_10k_ms: the same in a process that has listed before (warm
//   code), still opening the folder afresh: opening is when the index is read.
// - storage.list_10k_query_ms (secondary, narrower): the list call alone on
//   an open store, against the sqlite query alone.
// - storage.owner_forward_ms: `stint list --json` as a whole process answered
//   through a running owner (`stint serve`), against the same command opening
//   the folder itself with no owner.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { figure, rounds } from "./_stats.mjs";
import { inChild, loadEngine, metadata, openSqlite, openStore, T0, uuid } from "./_storage-fixtures.mjs";

const COUNT = 10_000;
const STATUSES = ["completed", "completed", "completed", "interrupted"];
const sessionFor = (i) => metadata(uuid(100_000 + i), i, { status: STATUSES[i % 4], tags: i % 3 === 0 ? ["deep-work"] : i % 3 === 1 ? ["meeting"] : [], topicIds: [`topic-${i % 20}`] });
const FILTER = { status: "completed", startAfter: T0 + 2000 * 3_600_000, startBefore: T0 + 6000 * 3_600_000, tags: ["deep-work"] };
const SQL = "SELECT s.record FROM sessions s JOIN session_tags t ON t.session = s.id AND t.tag = ? WHERE s.status = ? AND s.started_at > ? AND s.started_at < ? ORDER BY s.started_at DESC";
const SQL_ARGS = [FILTER.tags[0], FILTER.status, FILTER.startAfter, FILTER.startBefore];

async function stintFixture(engine, dir) {
  const storage = await openStore(engine, dir);
  for (let i = 0; i < COUNT; i += 1000) await storage.sessions.saveMetadataMany(Array.from({ length: 1000 }, (_, j) => sessionFor(i + j)));
  await storage.close();
}

function sqliteFixture(path) {
  const db = openSqlite(path);
  const put = db.prepare("INSERT INTO sessions VALUES (?, ?, ?, ?)");
  const tag = db.prepare("INSERT INTO session_tags VALUES (?, ?)");
  db.transaction(() => {
    for (let i = 0; i < COUNT; i++) {
      const s = sessionFor(i);
      put.run(s.id, s.status, s.startedAt, JSON.stringify(s));
      for (const t of s.tags) tag.run(s.id, t);
    }
  })();
  db.close();
}

/** Open + list on a fresh store; returns both spans. */
async function listStint(engine, dir) {
  const t0 = performance.now();
  const storage = await openStore(engine, dir);
  const t1 = performance.now();
  const result = await storage.sessions.listMetadata(FILTER);
  const t2 = performance.now();
  await storage.close();
  if (result.total === 0) throw new Error("list bench: nothing matched");
  return { total: t2 - t0, query: t2 - t1, count: result.total };
}

function listSqlite(path) {
  const t0 = performance.now();
  const db = openSqlite(path);
  const t1 = performance.now();
  const rows = db.prepare(SQL).all(...SQL_ARGS).map((row) => JSON.parse(row.record));
  const t2 = performance.now();
  db.close();
  if (rows.length === 0) throw new Error("sqlite list: no rows");
  return { total: t2 - t0, query: t2 - t1, count: rows.length };
}

/** One new process per sample: modules load first, then the clock runs over open + list only. */
const COLD_STINT = (bundle, dir, filter) => `
  const engine = await import(${JSON.stringify(bundle)});
  const t0 = performance.now();
  const host = engine.createNodeHost({ dataDir: ${JSON.stringify(dir)}, env: {}, logLevel: "error" });
  const storage = await engine.createStorage({ host, adapter: engine.createFileAdapter({ files: host.files, crypto: host.crypto, root: "" }) });
  const result = await storage.sessions.listMetadata(${JSON.stringify(filter)});
  const ms = performance.now() - t0;
  await storage.close();
  console.log(JSON.stringify({ ms, count: result.total }));
`;
const COLD_SQLITE = (fixtures, path) => `
  const { openSqlite } = await import(${JSON.stringify(fixtures)});
  const { createRequire } = await import("node:module");
  createRequire(${JSON.stringify(fixtures)})("better-sqlite3");
  const t0 = performance.now();
  const db = openSqlite(${JSON.stringify(path)});
  const rows = db.prepare(${JSON.stringify(SQL)}).all(...${JSON.stringify(SQL_ARGS)}).map((row) => JSON.parse(row.record));
  const ms = performance.now() - t0;
  db.close();
  console.log(JSON.stringify({ ms, count: rows.length }));
`;

function coldRun(script, env) {
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env });
  if (child.status !== 0) throw new Error(`cold list failed: ${child.stderr.slice(-500)}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1));
}

/**
 * `stint list --json` alone, then through a running owner; the owner stays up
 * for its runs, so the two cannot interleave: each gets `runs` runs after one
 * that warms the file cache.
 */
async function ownerForward(root, dataDir, runs) {
  const cli = join(root, "dist", "cli.js");
  const env = { ...process.env, STINT_DATA_DIR: dataDir, STINT_WEBVIEW_DIR: join(root, "dist", "webview-ui") };
  delete env.UV_THREADPOOL_SIZE;
  const run = () => {
    const started = performance.now();
    const result = spawnSync(process.execPath, [cli, "list", "--json"], { env, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`stint list failed: ${result.stderr}`);
    return performance.now() - started;
  };
  run();
  const alone = [];
  const forwarded = [];
  for (let i = 0; i < runs; i++) alone.push(run());
  const owner = spawn(process.execPath, [cli, "serve", "--port", "0"], { env, stdio: "ignore" });
  try {
    for (let i = 0; i < 300; i++) {
      const record = existsSync(join(dataDir, "owner.json")) ? JSON.parse(readFileSync(join(dataDir, "owner.json"), "utf8")) : undefined;
      if (record?.pid === owner.pid && record.url !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    run();
    for (let i = 0; i < runs; i++) forwarded.push(run());
  } finally {
    owner.kill("SIGTERM");
    await new Promise((resolve) => owner.once("close", resolve));
  }
  return { forwarded, alone };
}

async function runAll({ root, runs }) {
  const engine = await loadEngine(root);
  mkdirSync(join(root, ".bench"), { recursive: true });
  const base = mkdtempSync(join(root, ".bench", "storage-list-"));
  try {
    const stintDir = join(base, "stint");
    const sqlitePath = join(base, "list.sqlite");
    await stintFixture(engine, stintDir);
    sqliteFixture(sqlitePath);
    const env = { ...process.env };
    delete env.UV_THREADPOOL_SIZE;
    const bundle = pathToFileURL(join(root, ".bench", "storage-bench.mjs")).href;
    const fixtures = new URL("./_storage-fixtures.mjs", import.meta.url).href;
    const cold = await rounds(runs, {
      stint: () => coldRun(COLD_STINT(bundle, stintDir, FILTER), env),
      sqlite: () => coldRun(COLD_SQLITE(fixtures, sqlitePath), env),
    });
    // Warm the code of both once, then the in-process runs.
    await listStint(engine, stintDir);
    listSqlite(sqlitePath);
    const warm = await rounds(runs, { stint: () => listStint(engine, stintDir), sqlite: () => listSqlite(sqlitePath) });
    const counts = new Set([...cold.stint, ...cold.sqlite, ...warm.stint, ...warm.sqlite].map((r) => r.count));
    if (counts.size !== 1) throw new Error(`the contenders listed different sessions: ${[...counts].join(", ")}`);
    const forward = await ownerForward(root, join(base, "owner-forward"), runs);
    const pick = (samples, key) => samples.map((s) => s[key]);
    const matched = [...counts][0];
    return [
      figure({ name: "storage.list_10k_cold_ms", unit: "ms", better: "lower", samples: pick(cold.stint, "ms"), peers: { sqlite: pick(cold.sqlite, "ms") }, goal: 20, note: `open + filtered list of 10,000 sessions (${matched} match) in a new process` }),
      figure({ name: "storage.list_10k_ms", unit: "ms", better: "lower", samples: pick(warm.stint, "total"), peers: { sqlite: pick(warm.sqlite, "total") }, goal: 20, note: "open + filtered list in a process that has listed before" }),
      figure({ name: "storage.list_10k_query_ms", unit: "ms", better: "lower", samples: pick(warm.stint, "query"), peers: { sqlite: pick(warm.sqlite, "query") }, secondary: true, note: "the list call alone on an already open store (opening excluded)" }),
      figure({ name: "storage.owner_forward_ms", unit: "ms", better: "lower", samples: forward.forwarded, peers: { "no-owner": forward.alone }, goal: { peer: "no-owner", factor: 1.5 }, note: "`stint list --json` as a whole process, through a running owner" }),
    ];
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/** Runs every contender `runs` times itself. */
export const takesRuns = true;

export default async function storageListBench({ root, runs }) {
  return inChild(import.meta.url, { root, runs });
}

if (process.argv[2] === "--child") {
  const results = await runAll(JSON.parse(process.argv[3]));
  process.stdout.write(`${JSON.stringify(results)}\n`);
}
