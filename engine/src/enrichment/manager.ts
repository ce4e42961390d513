import { EngineError, NonRetriableError } from "../bridge/index.ts";
import { createHostFetch, type HostPort } from "../host/index.ts";
import type { Store } from "../storage/index.ts";
import { createBudget, type Budget } from "./cost/budget.ts";
import { estimateCost } from "./cost/estimate.ts";
import { createLedger, type Ledger } from "./cost/ledger.ts";
import { defaultProvider, resolvePlan, type AvailableKeys, type EnrichmentPlan } from "./plan.ts";
import { createAnthropicProvider } from "./providers/anthropic.ts";
import { createLocalProvider } from "./providers/local.ts";
import { createLocalServerProvider, LOCAL_SERVER_DEFAULT_URL } from "./providers/local-server.ts";
import { createOpenAiProvider } from "./providers/openai.ts";
import type { EnrichmentProvider } from "./providers/port.ts";
import { PersistentEnrichmentQueue, type QueueStatus } from "./queue.ts";
import { scrubSecrets } from "./redaction.ts";
import { writeReplaceRequest } from "./replace-requests.ts";
import { createSagaRunner, deleteCheckpoints, type JobProviders } from "./saga/runner.ts";
import type { MediaOutcome } from "./saga/steps.ts";
import type { SessionSource, SessionView } from "./session-source.ts";
import type { CostEstimate, EnrichmentOptions, JobPriority, JobRecord, ProviderName } from "./types.ts";

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
  /**
   * `user` (the default): an explicit request, whose options replace those of a live job
   * for the session. `background`: queued because a session ended; it uses the saved
   * settings only (no key in the environment picks a cloud provider) and never
   * replaces a job the user asked for.
   */
  readonly origin?: "user" | "background";
}

const TERMINAL = new Set(["failed", "cancelled"]);

/** Options compared as the user meant them: keys with undefined values do not count. */
function sameOptions(a: EnrichmentOptions, b: EnrichmentOptions): boolean {
  const canonical = (options: EnrichmentOptions) =>
    JSON.stringify(
      Object.entries(options)
        .filter(([, value]) => value !== undefined)
        .sort(([x], [y]) => (x < y ? -1 : 1)),
    );
  return canonical(a) === canonical(b);
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
  readonly budget: Budget;
  /** The configured keys, redacted from every stored or printed message. */
  private secretValues: string[] = [];
  private readonly fetchImpl: typeof fetch;
  private readonly providerCache = new Map<string, EnrichmentProvider>();
  /** The user's settings: read at each plan and budget check, so an update applies to the next job. */
  private settings: EnrichmentSettings;

  constructor(private readonly options: EnrichmentManagerOptions) {
    this.settings = { defaults: options.defaults ?? {}, monthlyBudgetUsd: options.monthlyBudgetUsd };
    this.ledger = createLedger(options.store);
    this.budget = createBudget(this.ledger, () => this.settings.monthlyBudgetUsd);
    const scrub = (text: string) => scrubSecrets(text, this.secretValues);
    this.fetchImpl = options.fetch ?? createHostFetch(options.host);
    const run = createSagaRunner({
      host: options.host,
      store: options.store,
      ledger: this.ledger,
      sessions: options.sessions,
      providersFor: (plan) => this.providersFor(plan),
      planFor: (job) => this.planFor(job.options),
      processMedia: options.processMedia,
      budget: this.budget,
      scrub,
      earlierJobs: (job) =>
        this.queue
          .list()
          .filter((other) => other.sessionId === job.sessionId && other.id !== job.id && TERMINAL.has(other.status))
          .map((other) => other.id),
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
      scrub,
      // The session is enriched: checkpoints of its earlier unfinished jobs have served too.
      afterCompleted: async (job) => {
        const earlier = this.queue.list().filter((other) => other.sessionId === job.sessionId && TERMINAL.has(other.status));
        for (const id of [job.id, ...earlier.map((other) => other.id)]) await deleteCheckpoints(options.store, id);
      },
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
    await this.keys();
    return this.queue.initialize();
  }

  async shutdown(): Promise<void> {
    await this.queue.shutdown();
  }

  private async keys(): Promise<AvailableKeys> {
    const [anthropic, openai] = await Promise.all([this.options.host.secrets.get("ANTHROPIC_API_KEY"), this.options.host.secrets.get("OPENAI_API_KEY")]);
    this.secretValues = [anthropic, openai].filter((value): value is string => value !== undefined && value.length >= 8);
    return { anthropic: anthropic !== undefined && anthropic !== "", openai: openai !== undefined && openai !== "" };
  }

  /** Redacts secrets, the configured keys included, from a message about to be stored or shown. */
  scrub(text: string): string {
    return scrubSecrets(text, this.secretValues);
  }

  async planFor(options: EnrichmentOptions): Promise<EnrichmentPlan> {
    const merged = { ...this.settings.defaults, ...options };
    const keys = await this.keys();
    const plan = resolvePlan(merged, keys, { readsScreens: this.options.host.vision !== undefined });
    if (plan.provider === "anthropic" && !keys.anthropic) throw new NonRetriableError("enrichment.provider_unavailable", "ANTHROPIC_API_KEY is not set");
    if ((plan.provider === "openai" || plan.transcription === "openai") && !keys.openai) throw new NonRetriableError("enrichment.provider_unavailable", "OPENAI_API_KEY is not set");
    return plan;
  }

  private async provider(name: ProviderName, plan: EnrichmentPlan): Promise<EnrichmentProvider> {
    const cacheKey = `${name}:${plan.models.screenshot}:${plan.models.summary}:${plan.models.transcription}:${plan.localServerUrl ?? ""}`;
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
    } else if (name === "local-server") {
      const baseURL = plan.localServerUrl ?? host.info.providerBaseUrls?.localServer ?? LOCAL_SERVER_DEFAULT_URL;
      created = createLocalServerProvider({ host, baseURL, model: plan.models.summary, fetch: this.fetchImpl });
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
   * The options a request stands for, fixed when it is queued: the user's own over the
   * saved settings; the provider resolved now (from the saved settings, else the keys
   * for a user's request, else `local` for background work), so a key added later never
   * reroutes a job.
   */
  private async effectiveOptions(options: EnrichmentOptions, origin: "user" | "background"): Promise<EnrichmentOptions> {
    const merged = { ...this.settings.defaults, ...options };
    const provider = merged.provider ?? (origin === "background" ? "local" : defaultProvider(await this.keys()));
    return Object.fromEntries(Object.entries({ ...merged, provider }).filter(([, value]) => value !== undefined)) as EnrichmentOptions;
  }

  /**
   * Queues a session (one live job per session). An explicit request whose options
   * differ from the live job's replaces them (a running job stops at its next step
   * boundary, at once when the new options forbid what it is sending); a failed or
   * cancelled job with the same options is resumed from its checkpoints; any new job
   * adopts the still-valid checkpoints of the session's earlier jobs. With `maxCost`, a
   * session whose estimate exceeds it is refused here, before anything is spent.
   */
  async enqueueSession(sessionId: string, options: EnqueueSessionOptions = {}): Promise<JobRecord> {
    const { priority, mediaReady, origin = "user", ...requested } = options;
    const live = this.queue.liveJobForSession(sessionId);
    // A request that names no provider (and no saved one) keeps the live job's: a key alone never reroutes it.
    const unnamed = requested.provider === undefined && this.settings.defaults.provider === undefined;
    const jobOptions = await this.effectiveOptions(unnamed && live?.options.provider !== undefined ? { ...requested, provider: live.options.provider } : requested, origin);
    await this.planFor(jobOptions);
    if (jobOptions.maxCost !== undefined) {
      const estimate = await this.estimate(sessionId, jobOptions);
      if (estimate.totalUsd > jobOptions.maxCost) {
        throw new NonRetriableError("enrichment.cost_exceeded", `estimated $${estimate.totalUsd.toFixed(4)} exceeds the cap of $${jobOptions.maxCost.toFixed(4)}`, { data: { estimate } });
      }
    }
    let job: JobRecord;
    if (live !== undefined) {
      if (origin === "background") job = live;
      else if (!sameOptions(live.options, jobOptions)) {
        // Privacy first: a call in flight to a provider the user just ruled out is stopped now.
        const forbids = live.options.provider !== jobOptions.provider || (jobOptions.keepScreenshotsLocal === true && live.options.keepScreenshotsLocal !== true) || live.options.transcriptionProvider !== jobOptions.transcriptionProvider;
        const patch = { options: jobOptions, priority: priority ?? live.priority };
        // Left in the store too, for the engine that runs the job if that is another process.
        await writeReplaceRequest(this.options.store, live.id, patch, this.options.host.clock.now());
        const replaced = await this.queue.replaceOptions(live.id, patch, forbids);
        job = replaced.status === "active" && !this.queue.isRunningHere(live.id) ? { ...replaced, ...patch } : replaced;
      } else job = live.status === "active" || priority === undefined ? live : await this.queue.requeue(live.id, { priority });
    } else {
      const previous = this.queue.list().find((other) => other.sessionId === sessionId && TERMINAL.has(other.status) && sameOptions(other.options, jobOptions));
      job = previous !== undefined && origin === "user" ? await this.queue.retry(previous.id, { priority: priority ?? previous.priority }) : await this.queue.enqueue({ sessionId, priority, options: jobOptions, mediaReady });
    }
    await this.options.sessions.setStatus(sessionId, { status: "queued", stage: job.stage, progress: job.progress, totalCost: await this.ledger.sessionTotal(sessionId), jobId: job.id }).catch(() => undefined);
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

  /** Resumes a failed or cancelled job from its own checkpoints: no completed step is paid for again. */
  async retryJob(jobId: string): Promise<JobRecord> {
    const job = this.queue.get(jobId);
    if (job === undefined) throw new EngineError("enrichment.job_not_found", `no enrichment job ${jobId}`);
    await this.planFor(job.options);
    return this.queue.retry(jobId);
  }
}
