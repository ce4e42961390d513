// Shared by the storage bench modules (the runner skips files starting with
// "_"): the engine's storage bundle, the sqlite peer's schema, and the
// records and bytes both contenders store.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { bundleForBench } from "./_bundle.mjs";

export const BLOB_BYTES = 200 * 1024;
export const T0 = 1_700_000_000_000;

export const loadEngine = (root) =>
  bundleForBench(
    root,
    "storage",
    `
        export { createNodeHost } from "./engine/node/node-host.ts";
        export { createStorage, createFileAdapter } from "./engine/src/storage/index.ts";
      `,
  );

/** Distinct pseudo-random bytes per item (cheap to make, incompressible enough). */
export function blobFor(n, size = BLOB_BYTES) {
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

export const uuid = (n) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

/** A capture's items in time order: a screenshot every 5 s and a 30 s audio segment. */
export function items(shots, audio) {
  const out = [];
  for (let n = 0; n < shots; n++) out.push({ kind: "screenshot", n, at: T0 + n * 5000 });
  for (let n = 0; n < audio; n++) out.push({ kind: "audio", n, at: T0 + n * 30_000 });
  return out.sort((a, b) => a.at - b.at);
}

export const shotRecord = (n, attachmentId) => ({ sequenceNumber: n, capturedAt: T0 + n * 5000, sessionTimeMs: n * 5000, attachmentId, width: 2880, height: 1800, perceptualHash: ((n * 2654435761) >>> 0).toString(16).padStart(16, "0").slice(0, 16), isDuplicate: false });
export const audioRecord = (n, attachmentId) => ({ sequenceNumber: n, attachmentId, capturedAt: T0 + n * 30_000, startSessionMs: n * 30_000, durationMs: 30_000, sampleRate: 48_000, channels: 1 });
export const metadata = (id, i = 0, extra = {}) => ({ schemaVersion: 2, id, name: `Session ${i}`, status: "completed", startedAt: T0 + i * 3_600_000, endedAt: T0 + i * 3_600_000 + 3_000_000, activeDurationMs: 3_000_000, ...extra });

export async function openStore(engine, dataDir) {
  const host = engine.createNodeHost({ dataDir, env: {}, logLevel: "error" });
  const storage = await engine.createStorage({ host, adapter: engine.createFileAdapter({ files: host.files, crypto: host.crypto, root: "" }) });
  return Object.assign(storage, { host });
}

/** The peer: better-sqlite3 in WAL mode with synchronous=FULL (every commit reaches the disk). */
export function openSqlite(path) {
  const Database = createRequire(import.meta.url)("better-sqlite3");
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(`
    CREATE TABLE IF NOT EXISTS blobs (sha TEXT PRIMARY KEY, bytes BLOB);
    CREATE TABLE IF NOT EXISTS items (session TEXT, kind TEXT, seq INTEGER, record TEXT, PRIMARY KEY (session, kind, seq));
    CREATE TABLE IF NOT EXISTS packs (session TEXT PRIMARY KEY, record TEXT);
    CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, status TEXT, started_at INTEGER, record TEXT);
    CREATE TABLE IF NOT EXISTS session_tags (session TEXT, tag TEXT, PRIMARY KEY (tag, session));
    CREATE INDEX IF NOT EXISTS sessions_by_start ON sessions (started_at);
  `);
  return db;
}

/** Runs `task(i)` for every i with at most `limit` unresolved at a time. */
export async function pipeline(count, limit, task) {
  let next = 0;
  const workers = Array.from({ length: limit }, async () => {
    while (next < count) await task(next++);
  });
  await Promise.all(workers);
}

/**
 * Runs a bench module's `runAll` in a child process with the environment the
 * shipped `stint` command has: no UV_THREADPOOL_SIZE (libuv's default four
 * threads), so the Node host's file calls get the pool users get. The child
 * prints its figures as the last line of stdout.
 */
export function inChild(moduleUrl, args) {
  const env = { ...process.env };
  delete env.UV_THREADPOOL_SIZE;
  const child = spawnSync(process.execPath, [fileURLToPath(moduleUrl), "--child", JSON.stringify(args)], { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "inherit"] });
  if (child.status !== 0) throw new Error(`${fileURLToPath(moduleUrl)} child failed (${child.status})`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1));
}
