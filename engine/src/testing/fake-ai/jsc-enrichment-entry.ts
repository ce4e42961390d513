/**
 * Runs background enrichment inside the real JavaScriptCore host
 * (Scripts/jsc-host): the queue, the saga and the real Anthropic and OpenAI
 * SDKs over `createHostFetch`, against the loopback fake AI servers.
 * Bundled by Scripts/test-suites/jsc-enrichment.mjs; reports through `__done`.
 */
import { BackgroundEnrichmentManager, type JobRecord } from "../../enrichment/index.ts";
import { createMemorySessionSource, createMemoryStore } from "../../enrichment/test-support.ts";
import { createHostFetch, installWebShims, type HostPort } from "../../host/index.ts";
import { buildWavHeader } from "../../media/index.ts";

declare const __stintHost: HostPort;
declare const __hostConfig: { readonly fakeAiUrl: string };
declare function __done(code: number, json: string): void;

const base = __stintHost;
const url = __hostConfig.fakeAiUrl;

function png(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(64);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(bytes.buffer).setUint32(16, width);
  new DataView(bytes.buffer).setUint32(20, height);
  return bytes;
}

function wav(seconds: number): Uint8Array {
  const length = seconds * 8000 * 2;
  const out = new Uint8Array(44 + length);
  out.set(buildWavHeader({ audioFormat: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 }, length));
  return out;
}

async function main(): Promise<void> {
  installWebShims(base);
  const host: HostPort = {
    ...base,
    info: { ...base.info, providerBaseUrls: { anthropic: url, openai: url } },
    secrets: { get: async (name) => (name === "ANTHROPIC_API_KEY" ? "sk-ant-jsc-test" : "sk-jsc-test-key-0123456789") },
  };
  const sessions = createMemorySessionSource();
  const outcomes: { provider: string; job: JobRecord; chapters: number; tasks: number; flagged: number }[] = [];
  for (const [index, provider] of (["anthropic", "openai"] as const).entries()) {
    const id = `00000000-0000-4000-8000-00000000000${index + 1}`;
    const screenshots = Array.from({ length: 12 }, (_, i) => {
      sessions.blobs.set(`s${index}-${i}`, png(2560, 1600));
      return { ref: String(i), t: i * 5000, attachmentId: `s${index}-${i}`, width: 2560, height: 1600, isDuplicate: i % 3 !== 0, mimeType: "image/png" };
    });
    sessions.blobs.set(`a${index}`, wav(3));
    sessions.sessions.set(id, { id, name: `JSC ${provider}`, status: "completed", durationMs: 60_000, screenshots, audio: [{ ref: "0", tStart: 0, tEnd: 3000, attachmentId: `a${index}`, silent: false }], markers: [{ ref: "m", t: 30_000, label: "Halfway" }], videoSegments: [] });
    const manager = new BackgroundEnrichmentManager({ host, store: createMemoryStore(), sessions, emit: (method, params) => host.emit({ v: 1, method, params }), fetch: createHostFetch(host), batchPollMs: 20, callTimeoutMs: 10_000 });
    await manager.initialize();
    const job = await manager.enqueueSession(id, { provider, allowBatch: true, screenshotsPerRequest: 2, transcriptionProvider: "openai", allowUnreadScreenshots: true });
    const finished = await new Promise<JobRecord>((resolve) => {
      const poll = () => {
        const current = manager.getJobStatus(job.id)!;
        if (["completed", "failed", "cancelled"].includes(current.status)) resolve(current);
        else host.timers.setTimeout(poll, 20);
      };
      poll();
    });
    await manager.shutdown();
    const results = sessions.results.get(id);
    outcomes.push({ provider, job: finished, chapters: results?.chapters.length ?? 0, tasks: results?.summary.tasks.length ?? 0, flagged: results?.flagged ?? -1 });
  }
  __done(0, JSON.stringify({ outcomes }));
}

main().catch((error: unknown) => __done(1, JSON.stringify({ fatal: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error) })));
