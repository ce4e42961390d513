#!/usr/bin/env node
// One owner per data folder, under load: a dev host (`stint serve`) owns a data
// folder while three loops of `stint` processes record, import, enrich, delete,
// list, export and gc against it at once (every one is forwarded to the owner),
// and a second would-be writer (`stint serve`) is turned away. Then the owner is
// SIGKILLed in the middle of a recording and a new owner takes the folder over.
// After each phase: verify is clean, every attachment's reference count equals
// the one recomputed from the records, the panel's list (through the owner's
// API), `stint list` and the files on disk agree, and nothing of a deleted
// session remains. Last line: RESULT {"passed":N,"failed":M}.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const cli = join(root, "dist", "cli.js");
// The loops stop once this many processes ran (or at the time limit, which only a very busy machine reaches).
const TARGET_PROCESSES = Number(process.env.OWNER_STRESS_PROCESSES ?? 56);
const TIME_LIMIT_MS = Number(process.env.OWNER_STRESS_TIME_LIMIT_MS ?? 150_000);

let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ` — ${detail}` : ""}`);
  return ok;
}
function finish() {
  console.log(`RESULT ${JSON.stringify({ passed, failed })}`);
  process.exit(failed > 0 ? 1 : 0);
}

if (!existsSync(cli) || !existsSync(join(root, "dist", "webview-ui", "index.html"))) {
  console.log("dist/ is missing: run `npm run build` first");
  failed++;
  finish();
}

const work = mkdtempSync(join(tmpdir(), "stint-owner-stress-"));
const dataDir = join(work, "data");
const env = { ...process.env, STINT_DATA_DIR: dataDir, STINT_WEBVIEW_DIR: join(root, "dist", "webview-ui"), STINT_OWNER_WAIT_MS: "30000", ANTHROPIC_API_KEY: "", OPENAI_API_KEY: "" };
const started = Date.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one `stint` command to its end. */
let processes = 0;
function stint(args, timeoutMs = 60_000) {
  processes++;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env, cwd: work, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function readOwner() {
  try {
    return JSON.parse(readFileSync(join(dataDir, "owner.json"), "utf8"));
  } catch {
    return undefined;
  }
}

/** Starts `stint serve` and waits until it has published its address. */
async function startOwner() {
  const child = spawn(process.execPath, [cli, "serve", "--port", "0"], { env, cwd: work, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  for (let i = 0; i < 600; i++) {
    const owner = readOwner();
    if (owner?.pid === child.pid && owner.url !== undefined) return { child, owner, log: () => log };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error(`stint serve did not start: ${log}`);
}

const ops = { done: 0, byKind: {} };
const deleted = new Set();
const unexpected = [];
function count(kind, result, allowed = [0]) {
  ops.done++;
  ops.byKind[kind] = (ops.byKind[kind] ?? 0) + 1;
  if (!allowed.includes(result.code)) unexpected.push(`${kind} exited ${result.code}: ${(result.stderr || result.stdout).trim().split("\n").at(-1)}`);
}

async function listIds() {
  const result = await stint(["list", "--json", "--limit", "1000"]);
  return result.code === 0 ? JSON.parse(result.stdout.trim().split("\n").at(-1)).sessions.map((s) => s.id) : [];
}

async function recordLoop() {
  for (let i = 0; processes < TARGET_PROCESSES && Date.now() - started < TIME_LIMIT_MS; i++) {
    // Recordings in the owner take turns; one refused because another runs is a clear failure, not a fault.
    const result = await stint(["record", "--duration", "1s", "--screenshot-interval", "250ms", "--audio-segment", "1s", "--no-speech", "--name", `stress ${i}`]);
    count("record", result, result.stderr.includes("already running") ? [1] : [0]);
  }
}

async function importEnrichLoop(importDir) {
  for (let i = 0; processes < TARGET_PROCESSES && Date.now() - started < TIME_LIMIT_MS; i++) {
    if (i % 3 === 0) count("import", await stint(["import", importDir, "--name", `imported ${i}`, "--json"]));
    else if (i % 3 === 1) {
      const ids = (await listIds()).filter((id) => !deleted.has(id));
      count("list", { code: 0 });
      if (ids.length > 0) count("enrich", await stint(["enrich", ids[ids.length - 1], "--provider", "local", "--json"], 120_000), [0, 1]);
    } else count("export", await stint(["export", (await listIds())[0] ?? "none", "--format", "md", "--out", join(work, `out-${i}.md`)]), [0, 1]);
  }
}

async function deleteGcLoop() {
  for (let i = 0; processes < TARGET_PROCESSES && Date.now() - started < TIME_LIMIT_MS; i++) {
    if (i % 3 === 2) {
      count("gc", await stint(["gc", "--older-than", "0s", "--json"]));
      continue;
    }
    if (i % 6 === 0) {
      const second = await stint(["serve", "--port", "0"], 30_000);
      count("second-owner", second, [1]);
      if (!/owns this data folder/.test(second.stderr)) unexpected.push(`a second serve was not turned away naming the owner: ${second.stderr.trim()}`);
      continue;
    }
    const ids = await listIds();
    // Keep the newest few so the other loops always find something; delete the oldest completed one.
    if (ids.length > 3) {
      const victim = ids[ids.length - 1];
      const result = await stint(["delete", victim, "--json"]);
      count("delete", result, [0, 1]);
      if (result.code === 0) deleted.add(victim);
    } else count("list", { code: 0 });
  }
}

async function readLoop() {
  for (let i = 0; processes < TARGET_PROCESSES && Date.now() - started < TIME_LIMIT_MS; i++) {
    const ids = await listIds();
    count("list", { code: 0 });
    if (ids.length > 0) count("show", await stint(["show", ids[0]]), [0, 1]);
  }
}

/** Every file under a folder, relative. */
function walk(dir, prefix = "") {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const rel = prefix === "" ? name : `${prefix}/${name}`;
    if (statSync(path).isDirectory()) out.push(rel, ...walk(path, rel));
    else out.push(rel);
  }
  return out;
}

/** Reference counts recomputed from the records: chunks and video records, per attachment, the set of sessions using it. */
function recomputedReferences() {
  const uses = new Map();
  const add = (attachmentId, sessionId) => {
    if (!uses.has(attachmentId)) uses.set(attachmentId, new Set());
    uses.get(attachmentId).add(sessionId);
  };
  for (const kind of ["screenshots", "audio"]) {
    const base = join(dataDir, kind);
    if (!existsSync(base)) continue;
    for (const sessionId of readdirSync(base)) {
      for (const name of readdirSync(join(base, sessionId))) {
        if (!/^\d+\.json$/.test(name)) continue;
        for (const item of JSON.parse(readFileSync(join(base, sessionId, name), "utf8")).items) add(item.attachmentId, sessionId);
      }
    }
  }
  const videos = join(dataDir, "videos");
  if (existsSync(videos)) {
    for (const name of readdirSync(videos)) {
      const video = JSON.parse(readFileSync(join(videos, name), "utf8"));
      for (const segment of video.segments ?? []) add(segment.attachmentId, video.sessionId);
      if (video.merged !== undefined) add(video.merged.attachmentId, video.sessionId);
    }
  }
  return uses;
}

async function invariants(phase, owner) {
  const verify = await stint(["verify", "--json"], 120_000);
  const report = verify.code === 0 || verify.code === 1 ? JSON.parse(verify.stdout.trim().split("\n").at(-1) || "{}") : {};
  check(`${phase}: verify is clean`, verify.code === 0 && (report.problems ?? []).length === 0, (report.problems ?? []).slice(0, 3).map((p) => `${p.kind}: ${p.message}`).join("; ") || verify.stderr.trim());

  const uses = recomputedReferences();
  const wrong = [];
  const metaDir = join(dataDir, "attachments", "metadata");
  for (const name of existsSync(metaDir) ? readdirSync(metaDir) : []) {
    const meta = JSON.parse(readFileSync(join(metaDir, name), "utf8"));
    const expected = uses.get(meta.id) ?? new Set();
    if (meta.refCount !== expected.size) wrong.push(`${meta.id.slice(0, 12)} refCount ${meta.refCount}, records use it ${expected.size}×`);
  }
  for (const id of uses.keys()) if (!existsSync(join(metaDir, `${id}.json`))) wrong.push(`${id.slice(0, 12)} used by a record but has no attachment metadata`);
  check(`${phase}: every reference count equals the records' (${uses.size} attachments)`, wrong.length === 0, wrong.slice(0, 3).join("; "));

  const fromCli = (await listIds()).sort();
  const bridge = await fetch(`${owner.url}/bridge`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${owner.token}` }, body: JSON.stringify({ v: 1, id: "l", method: "review.list", params: {} }) });
  const panel = ((await bridge.json()).result?.sessions ?? []).map((s) => s.id).sort();
  const onDisk = readdirSync(join(dataDir, "sessions", "metadata"))
    .filter((name) => name !== "index.json" && name.endsWith(".json"))
    .map((name) => name.slice(0, -5))
    .sort();
  check(`${phase}: panel list, stint list and disk agree (${onDisk.length} sessions)`, JSON.stringify(panel) === JSON.stringify(fromCli) && JSON.stringify(fromCli) === JSON.stringify(onDisk), `panel ${panel.length}, list ${fromCli.length}, disk ${onDisk.length}`);

  const files = walk(dataDir);
  const leftovers = files.filter((path) => !path.startsWith("ledger/") && !path.startsWith("logs/") && [...deleted].some((id) => path.includes(id)));
  check(`${phase}: nothing of the ${deleted.size} deleted sessions remains`, leftovers.length === 0, leftovers.slice(0, 5).join(", "));
  const leaked = [...deleted].filter((id) => fromCli.includes(id));
  check(`${phase}: no deleted session is listed`, leaked.length === 0, leaked.join(", "));
}

try {
  let owner = await startOwner();
  check("the owner published its address in a 0600 owner.json", (statSync(join(dataDir, "owner.json")).mode & 0o777) === 0o600 && owner.owner.token.length >= 32);

  // Something to import: a few real screenshots from a first recording.
  const first = await stint(["record", "--duration", "1s", "--screenshot-interval", "250ms", "--no-audio", "--no-speech", "--name", "seed"]);
  count("record", first);
  if (first.code !== 0) console.log(first.stdout, first.stderr);
  const importDir = join(work, "to-import");
  mkdirSync(importDir);
  const blobs = join(dataDir, "attachments", "blobs");
  let copied = 0;
  for (const name of readdirSync(blobs)) {
    const head = readFileSync(join(blobs, name)).subarray(0, 4);
    if (head[0] === 0x89 && head[1] === 0x50 && copied < 3) copyFileSync(join(blobs, name), join(importDir, `shot-${copied++}.png`));
  }
  check("the seed recording went through the owner", first.code === 0 && /in the data folder's owner/.test(first.stdout), first.stderr.trim());

  await Promise.all([recordLoop(), importEnrichLoop(importDir), deleteGcLoop(), readLoop()]);
  check(`at least 50 stint processes from 4 loops at once (${processes} processes; ${JSON.stringify(ops.byKind)})`, processes >= 50);
  check("every operation ended as expected", unexpected.length === 0, unexpected.slice(0, 4).join(" | "));
  await invariants("under one owner", owner.owner);

  // SIGKILL the owner while a forwarded recording runs, then a new owner takes over.
  const recording = stint(["record", "--duration", "20s", "--screenshot-interval", "250ms", "--no-speech", "--name", "killed"]);
  // Kill once the owner is recording it (its session is listed as active).
  for (let i = 0; i < 200; i++) {
    const active = await fetch(`${owner.owner.url}/bridge`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${owner.owner.token}` }, body: JSON.stringify({ v: 1, id: "s", method: "session.list", params: { status: "active" } }) }).then((r) => r.json()).catch(() => undefined);
    if ((active?.result?.sessions ?? []).some((s) => s.name === "killed")) break;
    await sleep(100);
  }
  await sleep(500);
  const killedPid = owner.child.pid;
  owner.child.kill("SIGKILL");
  const orphaned = await recording;
  check("the forwarded command reports the owner's death", orphaned.code !== 0 && /stopped before the command finished/.test(orphaned.stderr), `exit ${orphaned.code}: ${orphaned.stderr.trim()}`);
  const after = await stint(["list", "--json"]);
  check("a command after the kill owns the folder itself (stale owner.json ignored)", after.code === 0, after.stderr.trim());
  owner = await startOwner();
  check("a new owner took the lock over", owner.owner.pid !== killedPid && owner.child.exitCode === null);
  const again = await stint(["serve", "--port", "0"], 30_000);
  check("the new owner still turns a second writer away", again.code === 1 && again.stderr.includes(`pid ${owner.owner.pid}`), again.stderr.trim());
  const victim = (await listIds()).at(-1);
  if (victim !== undefined) {
    const removed = await stint(["delete", victim]);
    if (removed.code === 0) deleted.add(victim);
  }
  await invariants("after SIGKILL and takeover", owner.owner);
  owner.child.kill("SIGTERM");
  await new Promise((resolve) => owner.child.once("close", resolve));
  check("the owner removes owner.json when it stops", readOwner() === undefined);
} catch (error) {
  check("the stress run completed", false, error instanceof Error ? error.stack : String(error));
} finally {
  console.log(`elapsed ${Math.round((Date.now() - started) / 1000)} s`);
  rmSync(work, { recursive: true, force: true });
}
finish();
