#!/usr/bin/env node
// Crash soak: runs recording and enrichment through `stint` in child processes,
// SIGKILLs them at random (seeded) moments, and after every kill reopens the
// store through `stint` and checks that nothing was lost or done twice.
//
//   npm run soak -- [--kills 200] [--time-limit 40m] [--seed N] [--keep] [--no-build]
//
// Invariants, checked after each kill:
//   sessions  every session any earlier `stint list --json` showed is still listed
//   verify    `stint verify --json` exits 0 with no problems
//   jobs      `stint queue --json`: every job is terminal (completed/failed/cancelled)
//             or resumable (waiting/delayed, or active with a lease the next start
//             recovers as stalled)
//   steps     no completed provider step ran again (see `checkLedger`)
// At the end every enriched session is enriched to completion without kills and
// its summary must exist. Prints the kill count and how often each invariant held.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "dist", "cli.js");

/** xorshift32: the same seed gives the same workloads and kill moments. */
function createRandom(seed) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), pick: (list) => list[Math.floor(next() * list.length)] };
}

/** The fake AI servers are TypeScript in engine/src/testing; bundle them for plain Node. */
async function loadFakeAi(work) {
  const { build } = await import("esbuild");
  const outfile = join(work, "fake-ai.mjs");
  await build({ entryPoints: [join(root, "engine/src/testing/fake-ai/index.ts")], bundle: true, platform: "node", format: "esm", outfile, logLevel: "silent" });
  return import(pathToFileURL(outfile).href);
}

/**
 * The fake Anthropic API behind a thin proxy that numbers every answered
 * Messages call and writes that number into the answer's `usage.output_tokens`.
 * The enrichment runner copies a call's usage into its ledger entry, in the same
 * transaction as the step's checkpoint, so each ledger entry names the exact
 * provider call whose result the job kept.
 */
async function startProvider(work) {
  const { createFakeAi } = await loadFakeAi(work);
  const fake = createFakeAi({ seed: 11 });
  const calls = []; // index = serial - 1
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      try {
        const body = new Uint8Array(Buffer.concat(chunks));
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v ?? "")]));
        const answer = await fake.handle({ method: req.method ?? "GET", url: req.url ?? "/", headers, body });
        let text = answer.body;
        const path = new URL(req.url ?? "/", "http://x").pathname;
        if (req.method === "POST" && path === "/v1/messages" && answer.status === 200) {
          const message = JSON.parse(text);
          const serial = calls.length + 1;
          calls.push({ serial, at: Date.now(), bodySha: createHash("sha256").update(body).digest("hex").slice(0, 16) });
          message.usage = { ...message.usage, output_tokens: serial };
          text = JSON.stringify(message);
        }
        res.writeHead(answer.status, { ...answer.headers, "content-length": Buffer.byteLength(text) });
        res.end(text);
      } catch (error) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ type: "error", error: { type: "api_error", message: String(error) } }));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Runs `stint …` to completion (or kills it after `killAfterMs`). */
function stint(args, { env, killAfterMs, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let killed = false;
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const killTimer =
      killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            if (child.exitCode === null && child.signalCode === null) {
              killed = true;
              child.kill("SIGKILL");
            }
          }, killAfterMs);
    const limit = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(killTimer);
      clearTimeout(limit);
      resolve({ code, signal, killed, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function lastJson(text) {
  const lines = text.trim().split("\n").filter((l) => l.startsWith("{"));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const value = JSON.parse(lines[i]);
      if (value.progress === undefined) return value;
    } catch {
      // A partial line: keep looking.
    }
  }
  return undefined;
}

function readJsonFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .map((name) => {
      try {
        return { name, value: JSON.parse(readFileSync(join(dir, name), "utf8")) };
      } catch {
        return { name, value: undefined };
      }
    });
}

/**
 * "No completed provider step repeated", from the ledger. A provider step's
 * checkpoint and its ledger entries (`ledger/{month}/entries/{jobId}.{stepId}.{n}`)
 * commit in one transaction, and the runner replays a checkpointed step instead
 * of calling the provider. If a completed step were performed again and
 * committed, then
 *   (a) its entry would be rewritten with the usage of the new call, whose
 *       proxy serial differs: an entry, once seen, must never change; and
 *   (b) the month's running total (`calls`, incremented in the same transaction)
 *       would count one more call than there are entries.
 * A repeat killed before it commits leaves no trace here; the job then repeats
 * it on its next run, and at the latest the final unkilled run commits it and
 * (a)/(b) catch it. Also checked: every entry names a call the provider really
 * answered (serial in range), and no two entries claim the same call.
 */
export function checkLedger(dataDir, state, calls) {
  const problems = [];
  const ledger = join(dataDir, "ledger");
  const months = existsSync(ledger) ? readdirSync(ledger) : [];
  const claimed = new Map();
  let entries = 0;
  for (const month of months) {
    const files = readJsonFiles(join(ledger, month, "entries"));
    entries += files.length;
    const total = readJsonFiles(join(ledger, month)).find((f) => f.name === "total.json")?.value;
    // Each violation is reported once, when it first shows; later checks look for new ones.
    const extra = files.length === 0 ? 0 : (total?.calls ?? 0) - files.length;
    if (extra !== (state.extra?.get(month) ?? 0)) problems.push({ text: `${month}: the running total counts ${total?.calls} provider calls for ${files.length} ledger entries (${extra} step(s) recorded twice)` });
    (state.extra ??= new Map()).set(month, extra);
    for (const { name, value } of files) {
      if (value === undefined) {
        problems.push({ text: `${month}/${name} unreadable` });
        continue;
      }
      if (value.usage?.provider !== "anthropic") continue;
      const serial = value.usage.outputTokens;
      const seen = state.entries.get(value.id);
      if (seen !== undefined && seen !== serial) problems.push({ jobId: value.jobId, text: `step ${value.stepId} of job ${value.jobId} ran again after it completed (call #${seen}, then #${serial})` });
      state.entries.set(value.id, serial);
      if (!(serial >= 1 && serial <= calls.length)) problems.push({ jobId: value.jobId, text: `entry ${value.id} names call #${serial}, which the provider never answered` });
      const other = claimed.get(serial);
      if (other !== undefined) problems.push({ jobId: value.jobId, text: `entries ${other} and ${value.id} both claim call #${serial}` });
      claimed.set(serial, value.id);
    }
  }
  return { problems, entries };
}

const TERMINAL = new Set(["completed", "failed", "cancelled"]);
const RESUMABLE = new Set(["waiting", "delayed"]);

/**
 * Runs the soak. Resolves with the counts; `failures` lists every broken invariant.
 * `log` receives one line per kill and per phase.
 */
export async function runSoak(options = {}) {
  const kills = options.kills ?? 200;
  const timeLimitMs = options.timeLimitMs ?? 40 * 60_000;
  const seed = options.seed ?? 20261121;
  const log = options.log ?? ((line) => console.log(line));
  const random = createRandom(seed);
  const work = mkdtempSync(join(tmpdir(), "stint-soak-"));
  const dataDir = join(work, "data");
  const started = Date.now();
  const result = { seed, kills: 0, runs: 0, finishedBeforeKill: 0, checks: { sessions: 0, verify: 0, jobs: 0, steps: 0 }, failures: [], enrichment: true, final: { enriched: 0, summaries: 0 }, providerCalls: 0, ledgerEntries: 0, dataDir };
  const fail = (what) => {
    result.failures.push(what);
    log(`  FAIL ${what}`);
  };
  const provider = await startProvider(work);
  // Every child gets the same environment, so whichever process picks a job up runs it against the fake.
  const env = { ...process.env, STINT_DATA_DIR: dataDir, ANTHROPIC_BASE_URL: provider.url, ANTHROPIC_API_KEY: "sk-ant-soak-not-a-real-key", FORCE_COLOR: "0" };
  delete env.OPENAI_API_KEY;
  delete env.OPENAI_BASE_URL;
  const ledgerState = { entries: new Map() };
  const seenSessions = new Set();
  // Each session keeps the provider it was first enriched with, so a waiting job's plan is never
  // switched under it (sessions that end are also queued automatically with the default provider).
  const enrichedSessions = new Map();

  try {
    const probe = await stint(["enrich", "--help"], { env });
    result.enrichment = probe.code === 0;
    if (!result.enrichment) log("note: `stint enrich` is not in this build; running recording workloads only (job and step checks skipped)");

    async function checkAll(label) {
      // `stint list` shows 50 by default; the soak needs every session.
      const list = await stint(["list", "--json", "--limit", "1000000"], { env });
      const listed = lastJson(list.stdout);
      if (list.code !== 0 || !Array.isArray(listed?.sessions)) fail(`${label}: stint list failed (exit ${list.code}): ${list.stderr.trim().slice(0, 300)}`);
      else {
        if (typeof listed.total === "number" && listed.total !== listed.sessions.length) fail(`${label}: stint list returned ${listed.sessions.length} of ${listed.total} sessions`);
        const ids = new Set(listed.sessions.map((s) => s.id));
        const lost = [...seenSessions].filter((id) => !ids.has(id));
        if (lost.length > 0) fail(`${label}: sessions lost: ${lost.join(", ")}`);
        else result.checks.sessions++;
        for (const session of listed.sessions) seenSessions.add(session.id);
      }
      const verify = await stint(["verify", "--json"], { env });
      const report = lastJson(verify.stdout);
      if (verify.code !== 0 || report?.ok !== true) fail(`${label}: stint verify not clean (exit ${verify.code}): ${JSON.stringify(report?.problems ?? verify.stderr.trim()).slice(0, 400)}`);
      else result.checks.verify++;
      if (!result.enrichment) return listed?.sessions ?? [];
      const queue = await stint(["queue", "--json"], { env });
      const jobs = lastJson(queue.stdout)?.jobs;
      if (queue.code !== 0 || !Array.isArray(jobs)) fail(`${label}: stint queue failed (exit ${queue.code}): ${queue.stderr.trim().slice(0, 300)}`);
      else {
        const stuck = jobs.filter((job) => !TERMINAL.has(job.status) && !RESUMABLE.has(job.status) && !(job.status === "active" && typeof job.leaseExpiresAt === "number"));
        if (stuck.length > 0) fail(`${label}: jobs neither terminal nor resumable: ${stuck.map((j) => `${j.id} ${j.status}`).join(", ")}`);
        else result.checks.jobs++;
      }
      const ledger = checkLedger(dataDir, ledgerState, provider.calls);
      result.ledgerEntries = ledger.entries;
      const describe = (jobId) => {
        const job = Array.isArray(jobs) ? jobs.find((j) => j.id === jobId) : undefined;
        return job === undefined ? "" : ` [job now ${job.status}/${job.stage}, ${job.starts} unfinished starts${job.lastError ? `, last error ${job.lastError.kind}: ${job.lastError.message.slice(0, 120)}` : ""}]`;
      };
      if (ledger.problems.length > 0) for (const problem of ledger.problems) fail(`${label}: ${problem.text}${problem.jobId === undefined ? "" : describe(problem.jobId)}`);
      else result.checks.steps++;
      return listed?.sessions ?? [];
    }

    // Kill moments are drawn across a run's whole life, which depends on the machine: learn it from the runs left to finish.
    const natural = { record: [2500], enrich: [6000] };
    const typical = (kind) => {
      const recent = natural[kind].slice(-7).sort((a, b) => a - b);
      return recent[Math.floor(recent.length / 2)];
    };
    let sessions = [];
    let n = 0;
    while (result.kills < kills) {
      if (Date.now() - started > timeLimitMs) {
        fail(`time limit of ${Math.round(timeLimitMs / 1000)} s reached after ${result.kills} of ${kills} kills`);
        break;
      }
      n++;
      const ended = sessions.filter((s) => s.status === "completed" || s.status === "interrupted");
      const roll = random.next();
      let args;
      let kind;
      let killAfterMs;
      if (!result.enrichment || ended.length === 0 || roll < 0.45) {
        kind = "record";
        args = ["record", "--name", `soak ${n}`, "--duration", `${random.int(20, 45)}s`, "--screenshot-interval", "5s", "--audio-segment", "10s", "--no-speech", "--speed", "max", "--json"];
        killAfterMs = random.int(100, Math.round(typical("record") * 1.1));
      } else {
        const session = random.pick(ended);
        if (!enrichedSessions.has(session.id)) enrichedSessions.set(session.id, roll > 0.82 ? "local" : "anthropic");
        const local = enrichedSessions.get(session.id) === "local";
        kind = local ? "enrich local" : "enrich anthropic";
        args = ["enrich", session.id, "--provider", local ? "local" : "anthropic", "--no-batch", "--json"];
        killAfterMs = random.int(100, Math.round(typical("enrich") * 1.1));
      }
      // Now and then a run may finish on its own: it keeps completed sessions and jobs in the mix.
      const letFinish = random.next() < 0.12;
      // A run left to finish must finish in a few times its usual length; a stuck one is killed and reported.
      const usual = typical(kind === "record" ? "record" : "enrich");
      const run = await stint(args, { env, killAfterMs: letFinish ? undefined : killAfterMs, timeoutMs: Math.max(30_000, usual * 6) });
      result.runs++;
      if (!run.killed) {
        result.finishedBeforeKill++;
        if (run.code === 0) natural[kind === "record" ? "record" : "enrich"].push(run.ms);
        if (run.code === null) fail(`${kind} did not finish within ${Math.round(run.ms / 1000)} s (not a soak kill): ${run.stderr.trim().slice(0, 300)}`);
        else if (run.code !== 0 && !(kind.startsWith("enrich") && run.code === 1)) fail(`${kind} exited ${run.code} without a kill: ${run.stderr.trim().slice(0, 300)}`);
        // The invariants are checked after kills; a clean exit only adds its session to the mix.
        const made = lastJson(run.stdout);
        if (kind === "record" && made?.sessionId !== undefined) sessions.push({ id: made.sessionId, status: made.status });
        continue;
      }
      result.kills++;
      sessions = await checkAll(`kill ${result.kills}`);
      log(`kill ${String(result.kills).padStart(3)}/${kills}: ${kind.padEnd(16)} after ${String(killAfterMs).padStart(4)} ms; ${seenSessions.size} sessions, ${provider.calls.length} provider calls, ${result.ledgerEntries} ledger entries, ${result.failures.length} failures`);
    }

    if (result.enrichment && enrichedSessions.size > 0) {
      const finalIds = [...enrichedSessions.keys()].slice(0, options.finalEnrichments ?? 5);
      log(`final: enriching ${finalIds.length} session(s) to completion without kills`);
      for (const id of finalIds) {
        const run = await stint(["enrich", id, "--provider", enrichedSessions.get(id), "--no-batch", "--json"], { env, timeoutMs: options.finalTimeoutMs ?? 120_000 });
        if (run.code !== 0) {
          fail(`final enrich of ${id} ${run.code === null ? `did not finish within ${Math.round((options.finalTimeoutMs ?? 120_000) / 1000)} s` : `exited ${run.code}`}: ${run.stderr.trim().slice(0, 300)}`);
          continue;
        }
        result.final.enriched++;
        const exported = await stint(["export", id, "--format", "json", "--json"], { env });
        const full = lastJson(exported.stdout);
        if (exported.code === 0 && typeof full?.summary?.summary === "string" && full.summary.summary.length > 0 && full.metadata?.hasSummary === true) result.final.summaries++;
        else fail(`session ${id} has no summary after its enrichment completed (export exit ${exported.code})`);
      }
    }
    await checkAll("final");
    result.providerCalls = provider.calls.length;
  } catch (error) {
    fail(`soak crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    await provider.close();
    result.kept = options.keep === true || (options.keepOnFailure !== false && result.failures.length > 0);
    if (!result.kept) rmSync(work, { recursive: true, force: true });
  }
  result.seconds = Math.round((Date.now() - started) / 1000);
  return result;
}

export function describeResult(result) {
  const c = result.checks;
  return [
    `Soak (seed ${result.seed}): survived ${result.kills} SIGKILLs in ${result.runs} runs (${result.finishedBeforeKill} finished before their kill) in ${result.seconds} s.`,
    `Invariants held: sessions kept ${c.sessions}×, verify clean ${c.verify}×${result.enrichment ? `, jobs terminal or resumable ${c.jobs}×, no completed step repeated ${c.steps}×` : " (enrichment not in this build: job and step checks skipped)"}.`,
    result.enrichment ? `Provider calls answered: ${result.providerCalls}; ledger entries: ${result.ledgerEntries}; enriched to completion at the end: ${result.final.enriched} (${result.final.summaries} with summaries).` : "",
    result.failures.length === 0 ? "No invariant broken." : `${result.failures.length} invariant failure(s).`,
    result.kept ? `Data kept for inspection in ${result.dataDir}` : "",
  ]
    .filter(Boolean)
    .join("\n");
}

function parseDurationMs(text) {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? "s"];
  return Number(match[1]) * unit;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const argv = process.argv.slice(2);
  const value = (name) => {
    const i = argv.indexOf(name);
    return i < 0 ? undefined : argv[i + 1];
  };
  const kills = Number(value("--kills") ?? 200);
  const timeLimitMs = parseDurationMs(value("--time-limit") ?? "40m");
  const seed = Number(value("--seed") ?? 20261121);
  if (!argv.includes("--no-build") || !existsSync(cli)) {
    const build = spawnSync(process.execPath, [join(root, "Scripts/build.mjs")], { cwd: root, stdio: "inherit" });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  const result = await runSoak({ kills, timeLimitMs, seed, keep: argv.includes("--keep") });
  console.log(describeResult(result));
  process.exit(result.failures.length === 0 && result.kills >= kills ? 0 : 1);
}
