// Import benchmarks: `stint import --taskerino` of a generated data folder of
// the previous app (monolithic db/sessions.json, gzip-wrapped, with its media
// as base64 in attachments/{id}.dat), run as the real command in a child
// process. Peer: copying the same folder (cp -r). Peak memory is the child's
// maximum resident set (GNU time).
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const TOTAL_MB = Number(process.env.STINT_BENCH_IMPORT_MB ?? 300);
const SHOT_BYTES = 300 * 1024;
const SHOTS_PER_SESSION = 30;

/** The previous app's checksum: 31·h + c over UTF-16 units, signed 32-bit, base 36. */
function oldChecksum(text) {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = ((hash << 5) - hash + text.charCodeAt(i)) | 0;
  return hash.toString(36);
}

/** A PNG signature and IHDR header followed by distinct pseudo-random bytes (the import reads sizes, it does not decode). */
function pngLike(n) {
  const bytes = new Uint8Array(SHOT_BYTES);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, 1440);
  view.setUint32(20, 900);
  let state = (n + 1) * 2654435761;
  for (let i = 24; i < bytes.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 255;
  }
  return bytes;
}

function writeFolder(root) {
  const shots = Math.ceil((TOTAL_MB * 1024 * 1024) / (SHOT_BYTES * 4 / 3));
  mkdirSync(join(root, "attachments"), { recursive: true });
  mkdirSync(join(root, "db"), { recursive: true });
  const sessions = [];
  const t0 = Date.UTC(2024, 2, 1);
  for (let n = 0; n < shots; n++) {
    const s = Math.floor(n / SHOTS_PER_SESSION);
    if (sessions[s] === undefined) sessions[s] = { id: `session-${s}`, name: `Session ${s}`, status: "completed", startTime: new Date(t0 + s * 3_600_000).toISOString(), endTime: new Date(t0 + s * 3_600_000 + 3_000_000).toISOString(), screenshots: [], tags: [], extractedTaskIds: [], extractedNoteIds: [] };
    const id = `attachment-${n}`;
    writeFileSync(join(root, "attachments", `${id}.meta.json`), JSON.stringify({ id, type: "screenshot", mimeType: "image/png", size: SHOT_BYTES }));
    writeFileSync(join(root, "attachments", `${id}.dat`), `data:image/png;base64,${Buffer.from(pngLike(n)).toString("base64")}`);
    sessions[s].screenshots.push({ id: `shot-${n}`, timestamp: new Date(t0 + s * 3_600_000 + (n % SHOTS_PER_SESSION) * 60_000).toISOString(), attachmentId: id, analysisStatus: "complete", aiAnalysis: { summary: `Shot ${n}`, detectedActivity: "coding", keyElements: ["Editor"], confidence: 1 } });
  }
  const json = JSON.stringify(sessions);
  writeFileSync(join(root, "db", "sessions.json"), JSON.stringify({ version: 1, checksum: oldChecksum(json), timestamp: Date.now(), compressed: true, data: `GZIP_V1:${gzipSync(json).toString("base64")}` }, null, 2));
  return sessions.length;
}

const folderBytes = (dir) => Number(execFileSync("du", ["-sb", dir]).toString().split("\t")[0]);

export default async function importBench({ root }) {
  const work = mkdtempSync(join(tmpdir(), "stint-bench-import-"));
  try {
    const source = join(work, "taskerino");
    const sessions = writeFolder(source);
    const mb = folderBytes(source) / 1024 / 1024;
    execFileSync("sync");

    let started = performance.now();
    execFileSync("cp", ["-r", source, join(work, "copy")]);
    execFileSync("sync");
    const copyMbPerS = mb / ((performance.now() - started) / 1000);

    const cli = join(root, "dist", "cli.js");
    if (!existsSync(cli)) throw new Error("dist/cli.js is missing: run npm run build");
    started = performance.now();
    const run = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, cli, "import", "--taskerino", source, "--json", "--data-dir", join(work, "data")], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const seconds = (performance.now() - started) / 1000;
    if (run.status !== 0) throw new Error(`import failed: ${run.stderr.slice(-500)}`);
    const result = JSON.parse(run.stdout.trim().split("\n").at(-1));
    const imported = result.sessions.filter((s) => s.outcome === "imported").length;
    if (imported !== sessions) throw new Error(`imported ${imported} of ${sessions} sessions`);
    const peakKb = Number(run.stderr.trim().split("\n").at(-1));
    return [
      { name: "import.taskerino_mb_per_s", value: mb / seconds, unit: "MB/s", better: "higher", goal: 50, peers: { "cp -r": copyMbPerS }, detail: `${mb.toFixed(0)} MB, ${sessions} sessions` },
      { name: "import.taskerino_peak_mb", value: peakKb / 1024, unit: "MB", better: "lower", goal: 150, detail: `${mb.toFixed(0)} MB folder` },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
