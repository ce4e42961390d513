#!/usr/bin/env node
// Background enrichment inside real JavaScriptCore: the queue, the saga and
// the real Anthropic and OpenAI SDKs over createHostFetch, against the
// loopback fake AI servers. The SDKs are bundled as in dist/engine.js:
// evaluated on the first client created. Last line: RESULT {"passed":N,"failed":M}.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildJscHost, bundleForJsc, bundleForNode, root } from "../jsc-host/build.mjs";
import { ENGINE_LAZY_DEPENDENCIES, lazyDependenciesPlugin } from "../lazy-dependencies.mjs";

/** Runs the JSC host; resolves with its DONE payload and output lines. */
function runHost(binary, args, timeoutMs = 90_000) {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ANTHROPIC_API_KEY: "", OPENAI_API_KEY: "" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(killer);
      const lines = out.split("\n").filter(Boolean);
      const match = /^DONE (-?\d+) (.*)$/.exec(lines.find((line) => line.startsWith("DONE ")) ?? "");
      let done;
      try {
        done = match === null ? undefined : { code: Number(match[1]), payload: JSON.parse(match[2]) };
      } catch {
        done = { code: Number(match[1]), payload: undefined };
      }
      resolve({ code, done, lines, stderr: err });
    });
  });
}

const work = mkdtempSync(join(tmpdir(), "stint-jsc-enrichment-"));
let passed = 0;
let failed = 0;
const record = (name, ok, detail) => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${!ok && detail ? `\n       ${detail}` : ""}`);
};

try {
  const binary = buildJscHost();
  const entry = await bundleForJsc(join(root, "engine/src/testing/fake-ai/jsc-enrichment-entry.ts"), join(work, "entry.js"), {
    plugins: [lazyDependenciesPlugin({ dependencies: ENGINE_LAZY_DEPENDENCIES, resolveDir: root })],
  });
  const fakeModule = await bundleForNode(join(root, "engine/src/testing/fake-ai/index.ts"), join(work, "fake-ai.mjs"));
  const { createFakeAi } = await import(pathToFileURL(fakeModule).href);
  const fake = createFakeAi({ batchPolls: 1 });
  const server = await fake.listen();
  try {
    const run = await runHost(binary, ["--root", join(work, "data"), "--timeout-ms", "60000", "--config", JSON.stringify({ fakeAiUrl: server.url }), entry]);
    const outcomes = run.done?.payload?.outcomes ?? [];
    record("the enrichment run finished inside JSC without uncaught exceptions", run.done?.code === 0 && outcomes.length === 2 && !run.lines.some((l) => l.startsWith("UNCAUGHT")),
      [run.done?.payload?.fatal, ...run.lines.filter((l) => l.startsWith("UNCAUGHT") || l.startsWith("CONSOLE")).slice(-10), run.stderr.trim()].filter(Boolean).join("\n       "));
    for (const outcome of outcomes) {
      record(`${outcome.provider}: the job completed with evidence-linked results`, outcome.job.status === "completed" && outcome.chapters > 0 && outcome.tasks > 0 && outcome.flagged === 0, JSON.stringify({ status: outcome.job.status, error: outcome.job.lastError, chapters: outcome.chapters, flagged: outcome.flagged }));
      record(`${outcome.provider}: cost came from the provider's reported usage`, outcome.job.cost.actualUsd > 0, JSON.stringify(outcome.job.cost));
    }
    const paths = fake.requests.map((r) => r.path);
    record("Anthropic Messages and Message Batches were called by the real SDK", paths.includes("/v1/messages") && paths.includes("/v1/messages/batches") && paths.some((p) => p.endsWith("/results")), paths.join(","));
    record("OpenAI transcription uploads arrived as multipart with the audio", fake.requests.some((r) => r.path === "/v1/audio/transcriptions" && r.audioSeconds > 2.9), JSON.stringify(fake.requests.filter((r) => r.path.includes("audio")).map((r) => r.audioSeconds)));
    record("OpenAI chat completions with JSON-schema output were called", paths.includes("/v1/chat/completions"));
  } finally {
    await server.close();
  }
} catch (error) {
  record("the JSC enrichment suite harness", false, error?.stack ?? String(error));
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`RESULT ${JSON.stringify({ passed, failed })}`);
process.exit(failed === 0 ? 0 : 1);
