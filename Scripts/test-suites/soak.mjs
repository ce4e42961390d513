#!/usr/bin/env node
// The short crash soak inside `npm test`: at least 30 SIGKILLs of `stint record`
// and `stint enrich` child processes, bounded in time, with every invariant
// checked after each kill (see Scripts/soak.mjs). The full soak is `npm run soak`.
// Last line: RESULT {"passed":N,"failed":M}, one count per invariant check.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describeResult, runSoak } from "../soak.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const KILLS = Number(process.env.SOAK_KILLS ?? 30);
const TIME_LIMIT_MS = Number(process.env.SOAK_TIME_LIMIT_MS ?? 6 * 60_000);

if (!existsSync(join(root, "dist", "cli.js"))) {
  console.log("dist/cli.js is missing: run `npm run build` first");
  console.log(`RESULT ${JSON.stringify({ passed: 0, failed: 1 })}`);
  process.exit(1);
}

// The time limit bounds the kill loop (about 4 min on a busy 2-core machine); the final unkilled enrichments add at most 2 × 90 s.
const result = await runSoak({ kills: KILLS, timeLimitMs: TIME_LIMIT_MS, seed: Number(process.env.SOAK_SEED ?? 20261121), finalEnrichments: 2, finalTimeoutMs: 90_000 });
console.log(describeResult(result));
const c = result.checks;
const passed = c.sessions + c.verify + c.jobs + c.steps + result.final.summaries + (result.kills >= KILLS ? 1 : 0);
const short = result.kills < KILLS && !result.failures.some((f) => f.startsWith("time limit"));
const failed = result.failures.length + (short ? 1 : 0);
console.log(`RESULT ${JSON.stringify({ passed, failed })}`);
process.exit(failed > 0 ? 1 : 0);
