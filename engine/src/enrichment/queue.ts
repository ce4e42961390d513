import { EngineError } from "../bridge/index.ts";
import type { HostPort, TimerId } from "../host/index.ts";
import type { Store } from "../storage/index.ts";
import { decideStepRetry } from "./retry-policy.ts";
import { JobShards, jobShardKey } from "./job-shards.ts";
import { clearReplaceRequest, readReplaceRequest } from "./replace-requests.ts";
import { ShutdownInterrupt, type EnqueueInput, type JobControl, type QueueOptions, type QueueStatus, type RunningEntry } from "./queue-types.ts";
import { type JobPriority, type JobRecord } from "./types.ts";

/** At most this many jobs run at once. */
export const MAX_ACTIVE_JOBS = 5;
export const DEFAULT_LEASE_MS = 30_000;
/** A job whose unfinished starts reach this is a poison pill: it ends failed instead of crash-looping. */
export const POISON_STARTS = 2;

const PRIORITY_RANK: Record<JobPriority, number> = { high: 0, normal: 1, low: 2 };
const LIVE = new Set(["waiting", "active", "delayed"]);

export { ShutdownInterrupt, type EnqueueInput, type JobControl, type JobWorker, type QueueOptions, type QueueStatus } from "./queue-types.ts";

/**
 * The persistent enrichment queue: records in `jobs/{id}.json` through the
 * storage `Store`; priority then FIFO; at most `maxActive` running; leases
 * renewed while a job runs; stalled jobs recovered on open; retries classified
 * and scheduled by the job's own `nextRunAt`.
 */
export class PersistentEnrichmentQueue {
  private readonly shards: JobShards;
  private readonly jobs: Map<string, JobRecord>;
  private readonly running = new Map<string, RunningEntry>();
  private readonly timers = new Map<string, TimerId>();
  private readonly maxActive: number;
  private readonly leaseMs: number;
  private seq = 0;
  private open = false;
  private shuttingDown = false;
  private pumping = false;
  private abandoned = false;

  constructor(private readonly options: QueueOptions) {
    this.maxActive = options.maxActive ?? MAX_ACTIVE_JOBS;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.shards = new JobShards(options.store, options.host.timers);
    this.jobs = this.shards.jobs;
  }

  private now(): number {
    return this.options.host.clock.now();
  }

  private async save(job: JobRecord, priority: "critical" | "normal" = "critical"): Promise<JobRecord> {
    const next = { ...job, updatedAt: this.now() };
    await this.shards.save(next, priority);
    return next;
  }

  private saveLater(job: JobRecord): JobRecord {
    const next = { ...job, updatedAt: this.now() };
    this.shards.saveLater(next);
    return next;
  }

  private event(kind: string, job: JobRecord, extra: Record<string, unknown> = {}): void {
    this.options.emit(`enrichment.job.${kind}`, { jobId: job.id, sessionId: job.sessionId, status: job.status, stage: job.stage, progress: job.progress, attempts: job.attempts, cost: job.cost, ...extra });
  }

  /** Loads persisted jobs and recovers stalled ones; then starts working. */
  async initialize(): Promise<{ recovered: number; poisoned: number }> {
    const loaded = await this.shards.load();
    let recovered = 0;
    let poisoned = 0;
    const now = this.now();
    for (const job of loaded) this.seq = Math.max(this.seq, job.seq + 1);
    const touched = new Set<string>();
    // A message stored before it was scrubbed (an older version, a key added since) is scrubbed now.
    const scrub = this.options.scrub;
    if (scrub !== undefined) {
      for (const job of [...this.jobs.values()]) {
        if (job.lastError === undefined) continue;
        const message = scrub(job.lastError.message);
        if (message === job.lastError.message) continue;
        this.jobs.set(job.id, { ...job, lastError: { ...job.lastError, message } });
        touched.add(jobShardKey(job.id));
      }
    }
    const failed: JobRecord[] = [];
    for (const job of [...this.jobs.values()]) {
      if (job.status === "active") {
        if (job.leaseExpiresAt !== undefined && job.leaseExpiresAt > now) {
          this.schedule(job.id, job.leaseExpiresAt - now, () => void this.recoverStalled(job.id));
          continue;
        }
        const outcome = { ...this.stalledOutcome(job, now), updatedAt: now };
        this.jobs.set(job.id, outcome);
        touched.add(jobShardKey(job.id));
        if (outcome.status === "failed") {
          poisoned++;
          failed.push(outcome);
        } else recovered++;
      } else if (job.status === "delayed") {
        this.scheduleDelayed(job);
      }
    }
    // Recovery is idempotent (a crash before these land recovers the same jobs again), so the
    // queue does not wait for them; the first start's critical write carries the same shard state.
    for (const key of touched) void this.shards.write(key, "normal").catch(() => undefined);
    for (const job of failed) this.event("failed", job, { error: job.lastError });
    this.open = true;
    this.pump();
    return { recovered, poisoned };
  }

  private stalledOutcome(job: JobRecord, now: number): JobRecord {
    if (job.starts >= POISON_STARTS) {
      return { ...job, status: "failed", stage: "failed", leaseExpiresAt: undefined, finishedAt: now, lastError: { code: "enrichment.provider_error", message: `job stopped the engine ${job.starts} times; not retried`, kind: "poison", at: now } };
    }
    return { ...job, status: "waiting", leaseExpiresAt: undefined };
  }

  private async recoverStalled(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (job === undefined || job.status !== "active" || this.running.has(jobId)) return;
    const saved = await this.save(this.stalledOutcome(job, this.now()));
    if (saved.status === "failed") this.event("failed", saved, { error: saved.lastError });
    this.pump();
  }

  private schedule(jobId: string, ms: number, callback: () => void): void {
    const existing = this.timers.get(jobId);
    if (existing !== undefined) this.options.host.timers.clearTimeout(existing);
    this.timers.set(
      jobId,
      this.options.host.timers.setTimeout(() => {
        this.timers.delete(jobId);
        callback();
      }, Math.max(0, ms)),
    );
  }

  private scheduleDelayed(job: JobRecord): void {
    this.schedule(job.id, (job.nextRunAt ?? 0) - this.now(), () => this.pump());
  }

  /** One live job per session: enqueueing a session that already has one returns it. */
  async enqueue(input: EnqueueInput): Promise<JobRecord> {
    for (const job of this.jobs.values()) if (job.sessionId === input.sessionId && LIVE.has(job.status)) return job;
    const now = this.now();
    const job = await this.save({
      id: this.options.host.crypto.randomUUID(),
      sessionId: input.sessionId,
      priority: input.priority ?? "normal",
      status: "waiting",
      stage: "queued",
      progress: 0,
      attempts: 0,
      starts: 0,
      seq: this.seq++,
      options: input.options ?? {},
      cost: { actualUsd: 0 },
      redactions: 0,
      mediaReady: input.mediaReady ?? false,
      createdAt: now,
      updatedAt: now,
    });
    this.event("enqueued", job);
    this.pump();
    return job;
  }

  get(jobId: string): JobRecord | undefined {
    return this.jobs.get(jobId);
  }

  list(): JobRecord[] {
    return [...this.jobs.values()].sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq);
  }

  liveJobForSession(sessionId: string): JobRecord | undefined {
    for (const job of this.jobs.values()) if (job.sessionId === sessionId && LIVE.has(job.status)) return job;
    return undefined;
  }

  status(): QueueStatus {
    const counts = { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0, cancelled: 0 };
    for (const job of this.jobs.values()) counts[job.status]++;
    return { counts, active: this.running.size, maxActive: this.maxActive };
  }

  async update(jobId: string, patch: Partial<JobRecord>): Promise<JobRecord> {
    const job = this.mustGet(jobId);
    return this.save({ ...job, ...patch });
  }

  /** Changes a job that is not running and puts it back in line now (a repeated request from the user). */
  async requeue(jobId: string, patch: Partial<Pick<JobRecord, "options" | "priority">>): Promise<JobRecord> {
    const job = this.mustGet(jobId);
    if (job.status === "active") return job;
    const timer = this.timers.get(jobId);
    if (timer !== undefined) this.options.host.timers.clearTimeout(timer);
    this.timers.delete(jobId);
    const saved = await this.save({ ...job, ...patch, status: job.status === "delayed" ? "waiting" : job.status, nextRunAt: undefined });
    this.pump();
    return saved;
  }

  /**
   * The user's explicit request replaces a job's options: a waiting or delayed job
   * changes in place; a running one stops at its next step boundary (or at once, with
   * `abortInFlight`, when the new options forbid what the call in flight does) and goes
   * back in line with the new options. Its checkpoints stay; the runner reuses those
   * still valid for the new options.
   */
  async replaceOptions(jobId: string, patch: Partial<Pick<JobRecord, "options" | "priority">>, abortInFlight: boolean): Promise<JobRecord> {
    const running = this.running.get(jobId);
    if (running === undefined) return this.requeue(jobId, patch);
    running.replacement = patch;
    if (abortInFlight) running.controller.abort(new ShutdownInterrupt());
    await running.done;
    return this.mustGet(jobId);
  }

  private mustGet(jobId: string): JobRecord {
    const job = this.jobs.get(jobId);
    if (job === undefined) throw new EngineError("enrichment.job_not_found", `no enrichment job ${jobId}`);
    return job;
  }

  /**
   * Forgets a deleted session's jobs that are not running (cancel them first):
   * the ids, and the job shards as they must be written in the delete's commit.
   */
  forgetSession(sessionId: string): { jobIds: string[]; shards: { key: string; jobs: JobRecord[] }[] } {
    const ids = new Set<string>();
    for (const job of this.jobs.values()) if (job.sessionId === sessionId && !this.running.has(job.id)) ids.add(job.id);
    for (const id of ids) {
      const timer = this.timers.get(id);
      if (timer !== undefined) this.options.host.timers.clearTimeout(timer);
      this.timers.delete(id);
    }
    return { jobIds: [...ids], shards: this.shards.drop(ids) };
  }

  /** Cancels a job; a running one stops its current step through the abort signal. */
  async cancel(jobId: string): Promise<JobRecord> {
    const job = this.mustGet(jobId);
    const running = this.running.get(jobId);
    if (running !== undefined) {
      running.controller.abort(new EngineError("enrichment.cancelled", "cancelled by the user"));
      await running.done;
      return this.mustGet(jobId);
    }
    if (!LIVE.has(job.status)) return job;
    const timer = this.timers.get(jobId);
    if (timer !== undefined) this.options.host.timers.clearTimeout(timer);
    const saved = await this.save({ ...job, status: "cancelled", stage: "cancelled", finishedAt: this.now(), nextRunAt: undefined });
    this.event("cancelled", saved);
    return saved;
  }

  /** Puts a failed or cancelled job back in line (optionally with the user's new options); it resumes from its checkpoints. */
  async retry(jobId: string, patch: Partial<Pick<JobRecord, "options" | "priority">> = {}): Promise<JobRecord> {
    const job = this.mustGet(jobId);
    if (LIVE.has(job.status) || job.status === "completed") return job;
    const other = this.liveJobForSession(job.sessionId);
    if (other !== undefined) return other;
    const saved = await this.save({ ...job, ...patch, status: "waiting", stage: "queued", progress: 0, attempts: 0, starts: 0, lastError: undefined, failingStep: undefined, nextRunAt: undefined, finishedAt: undefined, seq: this.seq++ });
    this.event("enqueued", saved);
    this.pump();
    return saved;
  }

  private nextEligible(): JobRecord | undefined {
    const now = this.now();
    let best: JobRecord | undefined;
    for (const job of this.jobs.values()) {
      const ready = job.status === "waiting" || (job.status === "delayed" && (job.nextRunAt ?? 0) <= now);
      if (!ready || this.running.has(job.id)) continue;
      if (best === undefined || PRIORITY_RANK[job.priority] < PRIORITY_RANK[best.priority] || (job.priority === best.priority && job.seq < best.seq)) best = job;
    }
    return best;
  }

  private pump(): void {
    if (!this.open || this.shuttingDown || this.pumping) return;
    this.pumping = true;
    try {
      while (this.running.size < this.maxActive) {
        const job = this.nextEligible();
        if (job === undefined) break;
        this.start(job);
      }
    } finally {
      this.pumping = false;
    }
  }

  private start(job: JobRecord): void {
    const controller = new AbortController();
    const entry: RunningEntry = { controller, done: Promise.resolve(), renewers: [] };
    this.running.set(job.id, entry);
    entry.done = this.execute(job, entry).finally(() => {
      this.running.delete(job.id);
      this.pump();
    });
  }

  /** Whether this process runs the job (another one may, over the same store). */
  isRunningHere(jobId: string): boolean {
    return this.running.has(jobId);
  }

  private async execute(queued: JobRecord, entry: RunningEntry): Promise<void> {
    const { controller, renewers } = entry;
    // A replacement asked for while the job waited (perhaps by another process) applies before it starts.
    const pending = await readReplaceRequest(this.options.store, queued.id);
    const initial = pending === undefined ? queued : { ...queued, ...pending, stage: "queued" as const, progress: 0 };
    if (pending !== undefined) await clearReplaceRequest(this.options.store, queued.id);
    const scrub = this.options.scrub ?? ((text: string) => text);
    const now = this.now();
    // The start counter reaches the disk before any work: a crash loop shows up on the next launch.
    let job = await this.save({ ...initial, status: "active", starts: initial.starts + 1, startedAt: now, nextRunAt: undefined, leaseExpiresAt: now + this.leaseMs, stage: initial.stage === "queued" ? "validating" : initial.stage });
    this.options.onStart?.(job);
    this.event("started", job);
    let renewTimer: TimerId | undefined;
    const renew = () => {
      renewTimer = this.options.host.timers.setTimeout(() => {
        const current = this.jobs.get(job.id);
        if (this.abandoned || current === undefined || current.status !== "active") return;
        const leaseExpiresAt = this.now() + this.leaseMs;
        void this.save({ ...current, leaseExpiresAt }).then(() => Promise.all(renewers.map((fn) => fn(leaseExpiresAt)))).catch(() => undefined);
        renew();
      }, this.leaseMs / 3);
    };
    renew();
    const control: JobControl = {
      signal: controller.signal,
      stopping: () => this.shuttingDown || entry.replacement !== undefined,
      replacing: () => entry.replacement !== undefined,
      checkReplacement: async () => {
        if (entry.replacement !== undefined) return true;
        const request = await readReplaceRequest(this.options.store, job.id);
        if (request !== undefined) entry.replacement = request;
        return request !== undefined;
      },
      stepFailed: (stepId) => void (entry.failedStep = stepId),
      progress: async (stage, progress, patch = {}) => {
        const current = this.jobs.get(job.id) ?? job;
        // Progress is informative: it reaches the disk with the next write of its shard, at most a second later.
        job = this.saveLater({ ...current, ...patch, stage, progress: Math.max(current.progress, Math.min(1, progress)) });
        this.event("progress", job);
      },
      onRenew: (listener) => void renewers.push(listener),
    };
    try {
      await this.options.worker(job, control);
      const current = this.jobs.get(job.id) ?? job;
      const done = await this.save({ ...current, status: "completed", stage: "completed", progress: 1, starts: 0, leaseExpiresAt: undefined, finishedAt: this.now(), lastError: undefined, failingStep: undefined });
      this.event("completed", done);
      if (!this.abandoned) await this.options.afterCompleted?.(done).catch(() => undefined);
    } catch (error) {
      const current = this.jobs.get(job.id) ?? job;
      if (entry.replacement !== undefined) {
        // Replaced by the user's request: back in line with the new options, as if new.
        const saved = await this.save({ ...current, ...entry.replacement, status: "waiting", stage: "queued", progress: 0, starts: 0, attempts: 0, failingStep: undefined, lastError: undefined, leaseExpiresAt: undefined, nextRunAt: undefined, seq: this.seq++ });
        await clearReplaceRequest(this.options.store, job.id);
        this.event("enqueued", saved);
        return;
      }
      if (error instanceof ShutdownInterrupt) {
        await this.save({ ...current, status: "waiting", starts: 0, leaseExpiresAt: undefined });
        return;
      }
      const cause = controller.signal.aborted ? new EngineError("enrichment.cancelled", "cancelled by the user") : error;
      const random01 = (this.options.host.crypto.randomBytes(1)[0] ?? 0) / 255;
      const { failingStep, ...decision } = decideStepRetry(cause, { attempts: current.attempts, failingStep: current.failingStep, ageMs: this.now() - current.createdAt }, entry.failedStep, random01, this.now(), scrub);
      if (decision.error.kind === "cancelled") {
        const saved = await this.save({ ...current, status: "cancelled", stage: "cancelled", starts: 0, leaseExpiresAt: undefined, finishedAt: this.now(), lastError: decision.error });
        this.event("cancelled", saved);
      } else if (decision.retry) {
        const saved = await this.save({ ...current, status: "delayed", starts: 0, attempts: current.attempts + 1, failingStep, leaseExpiresAt: undefined, nextRunAt: this.now() + decision.delayMs, lastError: decision.error });
        this.scheduleDelayed(saved);
        this.event("progress", saved, { retryInMs: decision.delayMs, error: decision.error });
      } else {
        const atCap = cause instanceof EngineError && (cause.code === "enrichment.cost_exceeded" || cause.code === "enrichment.budget_exceeded");
        const saved = await this.save({ ...current, status: "failed", stage: atCap ? "stopped-at-cap" : "failed", starts: 0, failingStep, leaseExpiresAt: undefined, finishedAt: this.now(), lastError: decision.error });
        this.event("failed", saved, { error: decision.error });
      }
    } finally {
      if (renewTimer !== undefined) this.options.host.timers.clearTimeout(renewTimer);
    }
  }

  /** Stops taking work and waits for running jobs to checkpoint their current step. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const timer of this.timers.values()) this.options.host.timers.clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.running.values()].map((entry) => entry.done));
    await this.shards.flush();
  }

  /** Abandons everything without writing (a simulated crash, for tests). */
  abandon(): void {
    this.shuttingDown = true;
    this.abandoned = true;
    this.shards.abandon();
    for (const timer of this.timers.values()) this.options.host.timers.clearTimeout(timer);
    this.timers.clear();
  }
}
