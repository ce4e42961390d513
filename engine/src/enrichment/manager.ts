import { EngineError, NonRetriableError } from "../bridge/index.ts";
import { createHostFetch, type HostPort } from "../host/index.ts";
import type { Store } from "../storage/index.ts";
import { estimateCost } from "./cost/estimate.ts";
import { createLedger, type Ledger } from "./cost/ledger.ts";
import { resolvePlan, type AvailableKeys, type EnrichmentPlan } from "./plan.ts";
import { createAnthropicProvider } from "./providers/anthropic.ts";
import { createLocalProvider } from "./providers/local.ts";
import { createOpenAiProvider } from "./providers/openai.ts";
import type { EnrichmentProvider } from "./providers/port.ts";
import { PersistentEnrichmentQueue, type QueueStatus } from "./queue.ts";
import { createSagaRunner, deleteCheckpoints, type JobProviders } from "./saga/runner.ts";
import type { MediaOutcome } from "./saga/steps.ts";
import type { SessionSource, SessionView } from "./session-source.ts";
import type { CostEstimate, EnrichmentOptions, JobPriority, JobRecord } from "./types.ts";

export interface EnrichmentManagerOptions {
  readonly host: HostPort;
  readonly store: Store;
  readonly sessions: SessionSource;
  readonly emit: (method: string, params: unknown) => void;
  /** Defaults to `createHostFetch(host)` (URLSession on the Mac, fetch in Node). */
  readonly fetch?: typeof fetch;
  readonly monthlyBudgetUsd?: number;
  /** Applied under each job's own options. */
  readonly defaults?: EnrichmentOptions;
  readonly maxActive?: number;
  readonly leaseMs?: number;
  readonly lockMs?: number;
  readonly callTimeoutMs?: number;
  readonly batchPollMs?: number;
  readonly processMedia?: (session: SessionView, signal: AbortSignal, jobId: string) => Promise<MediaOutcome>;
  /** Test hooks (history checker). */
  readonly onStepCommitted?: (jobId: string, stepId: string) => void;
  readonly onStart?: (job: JobRecord) => void;
}

export interface EnqueueSessionOptions extends EnrichmentOptions {
  readonly priority?: JobPriority;
  readonly mediaReady?: boolean;
}

/** What the user sets once (Settings on the Mac): job defaults and the monthly budget. */
export interface EnrichmentSettings {
  readonly defaults: EnrichmentOptions;
  readonly monthlyBudgetUsd: number | undefined;
}

/** The session's enrichment at a glance. */
export interface JobStatusView {
  readonly job: JobRecord;
}

/**
 * Background enrichment: owns the persistent queue and the saga runner.
 * `initialize` recovers stalled jobs; `shutdown` waits for running steps
 * to checkpoint.
 */
export class BackgroundEnrichmentManager {
  readonly queue: PersistentEnrichmentQueue;
  readonly ledger: Ledger;
  private readonly fetchImpl: typeof fetch;
  private readonly providerCache = new Map<string, EnrichmentProvider>();
  /** The user's settings: read at each plan and budget check, so an update applies to the next job. */
  private settings: EnrichmentSettings;

  constructor(private readonly options: EnrichmentManagerOptions) {
    this.settings = { defaults: options.defaults ?? {}, monthlyBudgetUsd: options.monthlyBudgetUsd };
    const settings = () => this.settings;
    this.ledger = createLedger(options.store);
    this.fetchImpl = options.fetch ?? createHostFetch(options.host);
    const run = createSagaRunner({
      host: options.host,
      store: options.store,
      ledger: this.ledger,
      sessions: options.sessions,
      providersFor: (plan) => this.providersFor(plan),
      planFor: (job) => this.planFor(job.options),
      processMedia: options.processMedia,
      get monthlyBudgetUsd() {
        return settings().monthlyBudgetUsd;
      },
      callTimeoutMs: options.callTimeoutMs,
      batchPollMs: options.batchPollMs,
      lockMs: options.lockMs,
      lockHolderFinished: (jobId) => {
        const holder = this.queue.get(jobId);
        return holder !== undefined && (holder.status === "completed" || holder.status === "failed" || holder.status === "cancelled");
      },
      onStepCommitted: options.onStepCommitted,
    });
    this.queue = new PersistentEnrichmentQueue({
      store: options.store,
      host: options.host,
      emit: options.emit,
      maxActive: options.maxActive,
      leaseMs: options.leaseMs,
      onStart: options.onStart,
      afterCompleted: (job) => deleteCheckpoints(options.store, job.id),
      worker: async (job, control) => {
        await run(job, control);
      },
    });
  }

  /** Replaces the defaults every job starts from and the monthly budget. */
  configure(settings: EnrichmentSettings): void {
    this.settings = { defaults: { ...settings.defaults }, monthlyBudgetUsd: settings.monthlyBudgetUsd };
  }

  currentSettings(): EnrichmentSettings {
    return { defaults: { ...this.settings.defaults }, monthlyBudgetUsd: this.settings.monthlyBudgetUsd };
  }

  async initialize(): Promise<{ recovered: number; poisoned: number }> {
    return this.queue.initialize();
  }

  async shutdown(): Promise<void> {
    await this.queue.shutdown();
  }

  private async keys(): Promise<AvailableKeys> {
    const [anthropic, openai] = await Promise.all([this.options.host.secrets.get("ANTHROPIC_API_KEY"), this.options.host.secrets.get("OPENAI_API_KEY")]);
    return { anthropic: anthropic !== undefined && anthropic !== "", openai: openai !== undefined && openai !== "" };
  }

  async planFor(options: EnrichmentOptions): Promise<EnrichmentPlan> {
    const merged = { ...this.settings.defaults, ...options };
    const keys = await this.keys();
    const plan = resolvePlan(merged, keys);
    if (plan.provider === "anthropic" && !keys.anthropic) throw new NonRetriableError("enrichment.provider_unavailable", "ANTHROPIC_API_KEY is not set");
    if (plan.provider === "openai" && !keys.openai) throw new NonRetriableError("enrichment.provider_unavailable", "OPENAI_API_KEY is not set");
    return plan;
  }

  private async provider(name: "anthropic" | "openai" | "local", plan: EnrichmentPlan): Promise<EnrichmentProvider> {
    const cacheKey = `${name}:${plan.models.screenshot}:${plan.models.summary}:${plan.models.transcription}`;
    const cached = this.providerCache.get(cacheKey);
    if (cached !== undefined) return cached;
    const host = this.options.host;
    const now = () => host.clock.now();
    let created: EnrichmentProvider;
    if (name === "anthropic") {
      const apiKey = await host.secrets.get("ANTHROPIC_API_KEY");
      if (apiKey === undefined) throw new NonRetriableError("enrichment.provider_unavailable", "ANTHROPIC_API_KEY is not set");
      created = createAnthropicProvider({ apiKey, baseURL: host.info.providerBaseUrls?.anthropic, fetch: this.fetchImpl, models: plan.models, now });
    } else if (name === "openai") {
      const apiKey = await host.secrets.get("OPENAI_API_KEY");
      if (apiKey === undefined) throw new NonRetriableError("enrichment.provider_unavailable", "OPENAI_API_KEY is not set");
      const base = host.info.providerBaseUrls?.openai;
      created = createOpenAiProvider({ apiKey, baseURL: base === undefined ? undefined : base.endsWith("/v1") ? base : `${base.replace(/\/$/, "")}/v1`, fetch: this.fetchImpl, models: plan.models, now, randomHex: () => [...host.crypto.randomBytes(12)].map((b) => b.toString(16).padStart(2, "0")).join("") });
    } else {
      created = createLocalProvider(host);
    }
    this.providerCache.set(cacheKey, created);
    return created;
  }

  async providersFor(plan: EnrichmentPlan): Promise<JobProviders> {
    const main = await this.provider(plan.provider, plan);
    return {
      main,
      screenshots: plan.screenshots === plan.provider ? main : await this.provider(plan.screenshots, plan),
      transcription: plan.transcription === "openai" ? await this.provider("openai", { ...plan, models: { ...plan.models } }) : await this.provider("local", plan),
    };
  }

  /** The per-stage estimate for a session, spending nothing. */
  async estimate(sessionId: string, options: EnrichmentOptions = {}): Promise<CostEstimate> {
    const view = await this.options.sessions.load(sessionId);
    if (view === undefined) throw new EngineError("session.not_found", `no session ${sessionId}`);
    const plan = await this.planFor(options);
    return estimateCost(
      {
        durationMs: view.durationMs,
        screenshots: view.screenshots.filter((s) => !s.isDuplicate),
        audioSeconds: view.audio.filter((a) => !a.silent).reduce((sum, a) => sum + (a.tEnd - a.tStart) / 1000, 0),
        markers: view.markers.length,
      },
      plan,
    );
  }

  /**
   * Queues a session (one live job per session). With `maxCost`, a session
   * whose estimate exceeds it is refused here, before anything is spent.
   */
  async enqueueSession(sessionId: string, options: EnqueueSessionOptions = {}): Promise<JobRecord> {
    const { priority, mediaReady, ...jobOptions } = options;
    await this.planFor(jobOptions);
    if (jobOptions.maxCost !== undefined) {
      const estimate = await this.estimate(sessionId, jobOptions);
      if (estimate.totalUsd > jobOptions.maxCost) {
        throw new NonRetriableError("enrichment.cost_exceeded", `estimated $${estimate.totalUsd.toFixed(4)} exceeds the cap of $${jobOptions.maxCost.toFixed(4)}`, { data: { estimate } });
      }
    }
    const live = this.queue.liveJobForSession(sessionId);
    // Asking again for a session that is still waiting takes the new request's options.
    const job =
      live !== undefined && live.status !== "active" && (Object.keys(jobOptions).length > 0 || priority !== undefined)
        ? await this.queue.requeue(live.id, { options: { ...live.options, ...jobOptions }, priority: priority ?? live.priority })
        : await this.queue.enqueue({ sessionId, priority, options: jobOptions, mediaReady });
    await this.options.sessions.setStatus(sessionId, { status: "queued", stage: job.stage, progress: job.progress, totalCost: job.cost.actualUsd, jobId: job.id }).catch(() => undefined);
    return job;
  }

  /** Media was processed by the host (the Mac app): the saga skips its media stage. */
  async markMediaProcessingComplete(sessionId: string): Promise<JobRecord | undefined> {
    const job = this.queue.liveJobForSession(sessionId);
    if (job === undefined) return undefined;
    return this.queue.update(job.id, { mediaReady: true });
  }

  getJobStatus(jobId: string): JobRecord | undefined {
    return this.queue.get(jobId);
  }

  getQueueStatus(): QueueStatus & { readonly jobs: JobRecord[] } {
    return { ...this.queue.status(), jobs: this.queue.list() };
  }

  cancelJob(jobId: string): Promise<JobRecord> {
    return this.queue.cancel(jobId);
  }

  retryJob(jobId: string): Promise<JobRecord> {
    return this.queue.retry(jobId);
  }
}
