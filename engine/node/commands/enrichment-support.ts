import { EngineError, type EngineErrorCode } from "../../src/bridge/index.ts";
import type { Engine } from "../../src/engine/index.ts";
import { PersistentEnrichmentQueue, type JobRecord } from "../../src/enrichment/index.ts";
import { createFileAdapter, createStorage } from "../../src/storage/index.ts";
import { createNodeHost } from "../node-host.ts";
import { CommandFailure } from "./command.ts";

/** Calls a bridge method; an error reply becomes the engine error it carries. */
export async function callEngine<T>(engine: Engine, method: string, params: unknown = {}): Promise<T> {
  const reply = (await engine.handle({ v: 1, id: method, method, params }, "command")) as { result?: T; error?: { code: string; message: string; retryable: boolean; data?: unknown } } | undefined;
  if (reply?.error !== undefined) {
    if (reply.error.code === "bridge.unknown_method") throw new CommandFailure("enrichment is not available in this build of the engine");
    throw new EngineError(reply.error.code as EngineErrorCode, reply.error.message, { retryable: reply.error.retryable, data: reply.error.data });
  }
  return reply?.result as T;
}

/**
 * The persisted queue without running anything: `stint queue` and
 * `stint cancel` must not start enrichment jobs (and spend) as a side effect.
 */
export async function withIdleQueue<T>(dataDir: string, env: Readonly<Record<string, string | undefined>>, body: (queue: PersistentEnrichmentQueue) => Promise<T>): Promise<T> {
  const host = createNodeHost({ dataDir, env });
  const storage = await createStorage({ host, adapter: createFileAdapter({ files: host.files, crypto: host.crypto, root: "" }) });
  const queue = new PersistentEnrichmentQueue({ store: storage.store, host, emit: () => {}, maxActive: 0, worker: async () => {} });
  try {
    await queue.initialize();
    return await body(queue);
  } finally {
    queue.abandon();
    await storage.store.flush();
    await storage.close();
  }
}

export function formatUsd(value: number | undefined): string {
  if (value === undefined) return "-";
  return value < 0.01 && value > 0 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

export function describeJob(job: JobRecord): string {
  const error = job.lastError === undefined ? "" : `  ${job.lastError.kind}: ${job.lastError.message}`;
  return `${job.id}  ${job.sessionId}  ${job.status.padEnd(9)} ${job.stage.padEnd(14)} ${String(Math.round(job.progress * 100)).padStart(3)}%  ${formatUsd(job.cost.actualUsd)}${job.attempts > 0 ? `  retries ${job.attempts}` : ""}${error}`;
}
