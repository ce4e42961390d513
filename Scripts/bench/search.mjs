// Search benchmarks against SQLite FTS5 over the same text in the same run.
// A generated year of use is 2,000 sessions, each an hour of transcript
// (~9,000 words), screen text for 720 screenshots and a summary. Generating
// and indexing the whole year twice does not fit a shared CI machine, so the
// run measures a fraction (STINT_SEARCH_BENCH_SESSIONS, default 100 = 5 %)
// and reports the size figures scaled to the year, saying so in the notes. Query latency depends mostly on the posting lists a
// query touches, which grow linearly with the corpus for both contenders.
//
// Figures, each a sample per run (`--runs N`), contenders alternating who goes first:
// - search.p95_ms_1y: p95 of 200 mixed queries from a warm owner (peer: FTS5
//   MATCH ordered by bm25 with snippet()).
// - search.first_query_cold_ms: opening storage on the data folder and
//   answering one query (the index reads its runs' heads, the shards of the
//   query's terms and the entries shown; peer: FTS5 opening its database file
//   and answering the same query).
// - search.index_session_ms: indexing one freshly stored 1-hour session (peer:
//   FTS5 inserting the same entries in one transaction).
// - search.index_mb_1y: the index on disk, scaled to 2,000 sessions (peer: FTS5's).
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { bundleForBench } from "./_bundle.mjs";
import { figure, median } from "./_stats.mjs";

const YEAR = 2_000;
const SESSIONS = Number(process.env.STINT_SEARCH_BENCH_SESSIONS ?? 100);
const WORDS_PER_HOUR = 9_000;
const SHOTS = 720;
const SCREEN_WORDS = 39;
const SEGMENT_WORDS = 15;
const QUERIES = 200;
const T0 = Date.UTC(2025, 0, 1);
const uuid = (n) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

const loadEngine = (root) =>
  bundleForBench(
    root,
    "search",
    `
      export { createNodeHost } from "./engine/node/node-host.ts";
      export { createStorage, createFileAdapter } from "./engine/src/storage/index.ts";
      export { createSearchFeature, documentsOf, INDEX_VERSION } from "./engine/src/search/index.ts";
      export { encodeSegment } from "./engine/src/search/segment.ts";
      export { writeSegment } from "./engine/src/search/segment-store.ts";
    `,
  );

/** xorshift32: deterministic and fast. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4_294_967_296;
  };
}

/** 20,000 pseudo-words drawn with a Zipf law, as speech and screens are. */
function vocabulary() {
  const syllables = "ka lo mi ne ru sa ti vo ze pa di fu go hi ja ke li mo nu pe qui ra se to uv wa xe yo zu ba ce".split(" ");
  const words = [];
  const random = rng(7);
  const seen = new Set();
  while (words.length < 20_000) {
    const n = 2 + Math.floor(random() * 3);
    let word = "";
    for (let i = 0; i < n; i++) word += syllables[Math.floor(random() * syllables.length)];
    if (!seen.has(word)) {
      seen.add(word);
      words.push(word);
    }
  }
  const cumulative = new Float64Array(words.length);
  let total = 0;
  for (let i = 0; i < words.length; i++) cumulative[i] = total += 1 / (i + 1);
  return {
    words,
    pick(random) {
      const x = random() * total;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      return words[lo];
    },
  };
}

const APPS = ["Xcode", "Safari", "Slack", "Figma", "Terminal", "Mail", "Notes", "Zoom"];

/** One session's records as the index reads them, generated from its number alone. */
function sessionSource(vocab, n) {
  const random = rng(n * 2_654_435_761 + 1);
  const text = (count) => {
    const out = new Array(count);
    for (let i = 0; i < count; i++) out[i] = vocab.pick(random);
    return out.join(" ");
  };
  const id = uuid(n + 1);
  const startedAt = T0 + Math.floor((n * 365 * 86_400_000) / YEAR);
  const segments = [];
  for (let w = 0, t = 0; w < WORDS_PER_HOUR; w += SEGMENT_WORDS, t += 6_000) segments.push({ startMs: t, endMs: t + 6_000, text: text(SEGMENT_WORDS) });
  const audioSegments = [];
  for (let i = 0; i < 120; i++) {
    const mine = segments.slice(i * 5, i * 5 + 5).map((s) => ({ ...s, startMs: s.startMs - i * 30_000, endMs: s.endMs - i * 30_000 }));
    audioSegments.push({ sequenceNumber: i, attachmentId: "0".repeat(64), startSessionMs: i * 30_000, durationMs: 30_000, sampleRate: 16_000, channels: 1, transcript: { text: mine.map((s) => s.text).join(" "), segments: mine, provider: "bench" } });
  }
  const screenshots = [];
  let screen = text(SCREEN_WORDS);
  for (let i = 0; i < SHOTS; i++) {
    // Screens change a little at a time: a third of the words are new each shot.
    if (i % 3 === 0) screen = `${screen.split(" ").slice(SCREEN_WORDS / 3).join(" ")} ${text(SCREEN_WORDS / 3)}`;
    screenshots.push({ sequenceNumber: i, capturedAt: startedAt + i * 5_000, sessionTimeMs: i * 5_000, attachmentId: "0".repeat(64), width: 1440, height: 900, isDuplicate: false, analysis: { summary: text(8), text: screen, apps: [APPS[(n + Math.floor(i / 60)) % APPS.length]], provider: "bench" } });
  }
  const evidence = (t) => [{ tStart: t, tEnd: t + 5_000, kind: "audio", ref: "0" }];
  const summary = {
    sessionId: id,
    summary: text(120),
    points: Array.from({ length: 5 }, (_, i) => ({ text: text(15), evidence: evidence(i * 600_000) })),
    chapters: Array.from({ length: 6 }, (_, i) => ({ title: text(4), summary: text(20), startMs: i * 600_000, endMs: (i + 1) * 600_000, evidence: [] })),
    tasks: Array.from({ length: 4 }, (_, i) => ({ id: `t${i}`, title: text(6), evidence: evidence(i * 900_000) })),
    notes: Array.from({ length: 4 }, (_, i) => ({ id: `n${i}`, text: text(12), evidence: evidence(i * 800_000) })),
    provider: "bench",
    createdAt: startedAt + 3_600_000,
  };
  const metadata = { schemaVersion: 2, id, name: `${text(3)} session ${n}`, status: "completed", startedAt, endedAt: startedAt + 3_600_000, activeDurationMs: 3_600_000, tags: [APPS[n % APPS.length].toLowerCase()], screenshots: { itemCount: 0, chunkCount: 0, lostChunks: [] }, audio: { itemCount: 0, chunkCount: 0, lostChunks: [] }, hasSummary: true, hasVideo: false, topicIds: [], extractedTaskIds: [], extractedNoteIds: [], sizeBytes: 0 };
  return { metadata, screenshots, audioSegments, summary, markers: [{ id: uuid(900_000 + n), sessionTimeMs: 1_200_000, note: text(3) }] };
}

/** 200 queries people type: common and rare words, two words, prefixes, phrases, typos, filters. */
function queries(vocab) {
  const random = rng(99);
  const common = () => vocab.words[Math.floor(random() * 50)];
  const mid = () => vocab.words[200 + Math.floor(random() * 2_000)];
  const rare = () => vocab.words[5_000 + Math.floor(random() * 10_000)];
  const out = [];
  for (let i = 0; i < QUERIES; i++) {
    const kind = i % 8;
    if (kind === 0) out.push({ stint: common(), fts: common() });
    else if (kind === 1) out.push({ stint: rare(), fts: null });
    else if (kind === 2) {
      const [a, b] = [mid(), mid()];
      out.push({ stint: `${a} ${b}`, fts: `${a} ${b}` });
    } else if (kind === 3) {
      const word = mid().slice(0, 4);
      out.push({ stint: `${word}*`, fts: `${word}*` });
    } else if (kind === 4) {
      const [a, b] = [common(), common()];
      out.push({ stint: `"${a} ${b}"`, fts: `"${a} ${b}"` });
    } else if (kind === 5) {
      const word = mid();
      const typo = word.length >= 5 ? `${word.slice(0, 2)}${word[3]}${word[2]}${word.slice(4)}` : word;
      out.push({ stint: typo, fts: word });
    } else if (kind === 6) {
      const word = mid();
      out.push({ stint: `${word} kind:transcript`, fts: word });
    } else {
      const word = mid();
      out.push({ stint: `${word} after:2025-06-01`, fts: word });
    }
    if (out.at(-1).fts === null) out.at(-1).fts = out.at(-1).stint;
  }
  return out;
}

const p95 = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)];

function duBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? duBytes(path) : statSync(path).size;
  }
  return total;
}

async function openSearch(engine, dataDir) {
  const host = engine.createNodeHost({ dataDir, env: {}, logLevel: "error" });
  const storage = await engine.createStorage({ host, adapter: engine.createFileAdapter({ files: host.files, crypto: host.crypto, root: "" }) });
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  const search = await engine.createSearchFeature()({ host, emit() {}, logger, background: false, features: new Map([["storage", storage]]) });
  return { storage, search };
}

/** Runs its contenders `runs` times over one generated corpus (generating it again per run would triple the time). */
export const takesRuns = true;

export default async function searchBench({ root, runs = 1 }) {
  const engine = await loadEngine(root);
  const Database = createRequire(import.meta.url)("better-sqlite3");
  const vocab = vocabulary();
  const base = mkdtempSync(join(root, ".bench", "search-"));
  try {
    const dataDir = join(base, "stint");
    const db = new Database(join(base, "fts5.db"));
    db.pragma("journal_mode = WAL");
    db.exec("CREATE VIRTUAL TABLE docs USING fts5(text, session UNINDEXED, kind UNINDEXED, start UNINDEXED, started UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')");
    const insert = db.prepare("INSERT INTO docs (text, session, kind, start, started) VALUES (?, ?, ?, ?, ?)");
    // The year (fraction): segments stored through storage exactly as indexing writes them, and the same entries in FTS5.
    {
      const { storage, search } = await openSearch(engine, dataDir);
      await search.refresh(); // an empty folder: the index starts complete
      for (let n = 0; n < SESSIONS; n++) {
        const source = sessionSource(vocab, n);
        const docs = engine.documentsOf(source);
        await storage.sessions.saveMetadata(source.metadata);
        const stored = engine.encodeSegment({ sessionId: source.metadata.id, startedAt: source.metadata.startedAt, name: source.metadata.name, tags: source.metadata.tags }, docs);
        await storage.store.transaction((tx) => engine.writeSegment(storage.store, tx, source.metadata.id, stored));
        await storage.store.delete(`search/dirty/${source.metadata.id}`);
        db.transaction(() => {
          for (const doc of docs) insert.run(doc.text, source.metadata.id, doc.kind, doc.startMs, source.metadata.startedAt);
        })();
      }
      await storage.store.putJson("search/meta.json", { version: engine.INDEX_VERSION });
      await search.stop();
      await storage.close();
    }
    {
      // The next open builds the runs from those segments and merges them, as the owner does in the background.
      const { storage, search } = await openSearch(engine, dataDir);
      await search.refresh();
      await search.stop();
      await storage.close();
    }
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.exec("INSERT INTO docs(docs) VALUES('optimize')");
    const scale = YEAR / SESSIONS;
    const indexMb = (duBytes(join(dataDir, "search")) / 2 ** 20) * scale;
    const ftsMb = (statSync(join(base, "fts5.db")).size / 2 ** 20) * scale;

    const list = queries(vocab);
    const SELECT = "SELECT session, kind, start, snippet(docs, 0, '[', ']', '…', 24) AS snippet FROM docs WHERE docs MATCH ? ORDER BY bm25(docs), started DESC LIMIT 20";
    const insertDocs = db.transaction((docs, session) => {
      for (const doc of docs) insert.run(doc.text, session.id, doc.kind, doc.startMs, session.startedAt);
    });
    const samples = { cold: [], coldFts: [], p95: [], p95Fts: [], index: [], indexFts: [] };
    for (let run = 0; run < runs; run++) {
      // Contenders alternate who goes first, so load and caches fall on both alike.
      const ftsFirst = run % 2 === 1;
      const coldFts = () => {
        // FTS5's cold start: open the database file and answer the same first query.
        const started = performance.now();
        const reader = new Database(join(base, "fts5.db"), { readonly: true });
        reader.prepare(SELECT).all(list[0].fts);
        samples.coldFts.push(performance.now() - started);
        reader.close();
      };
      if (ftsFirst) coldFts();
      // Cold: open the data folder and answer one query.
      let started = performance.now();
      const { storage, search } = await openSearch(engine, dataDir);
      await search.query({ query: list[0].stint, limit: 20 });
      samples.cold.push(performance.now() - started);
      if (!ftsFirst) coldFts();

      // Warm: 200 mixed queries.
      const select = db.prepare(SELECT);
      const warmFts = () => {
        const times = [];
        for (const q of list) {
          const at = performance.now();
          select.all(q.fts);
          times.push(performance.now() - at);
        }
        samples.p95Fts.push(p95(times));
      };
      if (ftsFirst) warmFts();
      const times = [];
      for (const q of list) {
        started = performance.now();
        await search.query({ query: q.stint, limit: 20 });
        times.push(performance.now() - started);
      }
      samples.p95.push(p95(times));
      if (!ftsFirst) warmFts();
      if (process.env.STINT_SEARCH_BENCH_DEBUG) for (let k = 0; k < 8; k++) console.error(k, list[k].stint, times.filter((_, i) => i % 8 === k).reduce((a, b) => a + b, 0) / 25);

      // Indexing one 1-hour session: its records go through storage, then the index catches up (peer: FTS5 inserting its entries).
      const fresh = sessionSource(vocab, SESSIONS + 1 + run);
      await storage.sessions.saveMetadata(fresh.metadata);
      const attachment = await storage.attachments.saveAttachment(new Uint8Array([1, 2, 3]), { type: "screenshot", mimeType: "image/png" });
      await Promise.all(fresh.screenshots.map((shot) => storage.sessions.appendScreenshot(fresh.metadata.id, { ...shot, attachmentId: attachment.id })));
      await Promise.all(fresh.audioSegments.map((segment) => storage.sessions.appendAudioSegment(fresh.metadata.id, { ...segment, attachmentId: attachment.id })));
      await storage.sessions.saveSummary(fresh.summary);
      started = performance.now();
      await search.refresh();
      samples.index.push(performance.now() - started);
      const freshDocs = engine.documentsOf(fresh);
      started = performance.now();
      insertDocs(freshDocs, fresh.metadata);
      samples.indexFts.push(performance.now() - started);
      await search.stop();
      await storage.close();
    }
    db.close();

    return [
      figure({ name: "search.p95_ms_1y", unit: "ms", better: "lower", samples: samples.p95, peers: { fts5: samples.p95Fts }, goal: Math.min(50, 2 * median(samples.p95Fts)), note: `p95 of ${QUERIES} mixed queries from a warm index, ${SESSIONS} generated sessions; goal ≤ 50 ms and ≤ 2× FTS5` }),
      figure({ name: "search.first_query_cold_ms", unit: "ms", better: "lower", samples: samples.cold, peers: { fts5: samples.coldFts }, goal: 300, note: `${SESSIONS} sessions indexed; opening the data folder and answering one query (FTS5: opening its database file and answering the same query)` }),
      figure({ name: "search.index_session_ms", unit: "ms", better: "lower", samples: samples.index, peers: { fts5: samples.indexFts }, goal: 250, note: "one stored 1-hour session brought into the index (FTS5: inserting the same entries in one transaction)" }),
      figure({ name: "search.index_mb_1y", unit: "MB", better: "lower", samples: [indexMb], peers: { fts5: [ftsMb] }, goal: { peer: "fts5", factor: 1.5 }, exact: true, note: `on disk, scaled to ${YEAR} sessions from ${SESSIONS}` }),
    ];
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
