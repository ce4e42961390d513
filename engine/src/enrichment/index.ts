/**
 * Background enrichment: the persistent queue, the checkpointed saga, the
 * providers (Anthropic, OpenAI, local), cost, budget and ledger, redaction
 * and evidence checks.
 *
 * ## Bridge methods
 * - `enrichment.enqueue` `{ sessionId, provider?: "local"|"anthropic"|"openai", transcriptionProvider?: "local"|"openai",
 *   maxCost?, priority?: "high"|"normal"|"low", allowBatch?, keepScreenshotsLocal?, allowUnreadScreenshots?, redactEmails?,
 *   screenshotModel?, summaryModel?, transcriptionModel?, screenshotTokenBudget?, screenshotsPerRequest?, mediaReady? }`
 *   → `{ job: JobRecord }`: the user's explicit request. Options over the saved settings; the provider is fixed now.
 *   One live job per session: one with other options is replaced (a running one stops at its next step boundary,
 *   at once when the new options rule out what it sends; another process's job through a request in the store);
 *   a failed or cancelled job with the same options is resumed; a new job adopts every still-valid checkpoint.
 *   Over `maxCost` it fails with `enrichment.cost_exceeded` (data.estimate) before anything is spent.
 * - `enrichment.estimate` `{ sessionId, …options }` → `{ estimate: CostEstimate }` (spends nothing).
 * - `enrichment.status` `{ jobId } | { sessionId }` → `{ job: JobRecord | null }`.
 * - `enrichment.queue` `{}` → `{ counts: { waiting, active, delayed, completed, failed, cancelled }, active, maxActive, jobs }`.
 * - `enrichment.cancel` `{ jobId }` → `{ job }`.
 * - `enrichment.retry` `{ jobId }` → `{ job }`: resumes a failed or cancelled job from its own checkpoints (no
 *   completed step is paid again); what a Retry button calls.
 * - `enrichment.mediaComplete` `{ sessionId }` → `{ job | null }` (the host processed media itself).
 * - `enrichment.ledger` `{ month?: "YYYY-MM" }` → `{ month, totalUsd, entries: LedgerEntry[] }`.
 * - `media.process` `{ sessionId }` → `{ status: "done"|"skipped", audioPath?, mergedPath?, detail? }`.
 *
 * ## Events
 * `enrichment.job.enqueued|started|progress|completed|failed|cancelled` with
 * `{ jobId, sessionId, status, stage, progress, attempts, cost: { estimatedUsd?, actualUsd }, error?, retryInMs? }`;
 * `media.progress` `{ sessionId, stage, progress, detail? }`. A job refused a paid call by its cap or the monthly
 * budget ends `failed` at stage `stopped-at-cap` (`enrichment.cost_exceeded` / `enrichment.budget_exceeded`).
 * Every stored or emitted error message is scrubbed of secrets, the configured keys always.
 */
export { createEnrichmentFeature, type EnrichmentFeature, type EnrichmentFeatureOptions, EnqueueParamsSchema, EstimateParamsSchema } from "./feature.ts";
export { BackgroundEnrichmentManager, type EnrichmentManagerOptions, type EnqueueSessionOptions } from "./manager.ts";
export { PersistentEnrichmentQueue, MAX_ACTIVE_JOBS, POISON_STARTS, type QueueStatus } from "./queue.ts";
export { JOB_SHARDS, jobShardKey } from "./job-shards.ts";
export { estimateCost, fitToTokenBudget, imageTokens, type SessionShape } from "./cost/estimate.ts";
export { PRICES, costOf, priceOf } from "./cost/prices.ts";
export { createLedger, monthOf, type Ledger } from "./cost/ledger.ts";
export { redact, redactDeep } from "./redaction.ts";
export { checkEvidence, resolveEvidence, type Timeline } from "./evidence.ts";
export { resolvePlan, defaultProvider, type EnrichmentPlan } from "./plan.ts";
export { createAnthropicProvider, ANTHROPIC_DEFAULT_MODELS } from "./providers/anthropic.ts";
export { createOpenAiProvider, OPENAI_DEFAULT_MODELS } from "./providers/openai.ts";
export { createLocalProvider } from "./providers/local.ts";
export type { EnrichmentProvider } from "./providers/port.ts";
export { classifyFailure, backoffDelay, BACKOFF_SCHEDULE_MS } from "./retry-policy.ts";
export type { SessionSource, SessionView, EnrichmentResults } from "./session-source.ts";
export { createStorageSessionSource } from "./storage-source.ts";
export * from "./types.ts";
