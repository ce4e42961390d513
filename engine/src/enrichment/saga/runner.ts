import { EngineError, NonRetriableError, RetryAfterError } from "../../bridge/index.ts";
import type { HostPort } from "../../host/index.ts";
import type { Store, Transaction } from "../../storage/index.ts";
import type { Budget } from "../cost/budget.ts";
import { estimateCost } from "../cost/estimate.ts";
import type { Ledger } from "../cost/ledger.ts";
import { stepCostEstimate } from "../cost/step-cost.ts";
import type { EnrichmentPlan } from "../plan.ts";
import type { CallContext, EnrichmentProvider, ImageInput } from "../providers/port.ts";
import { BilledInvalidAnswer, billedUsageOf } from "../providers/sdk-errors.ts";
import { ShutdownInterrupt, type JobControl } from "../queue.ts";
import { redactDeep } from "../redaction.ts";
import type { EnrichmentResults, SessionSource, SessionView } from "../session-source.ts";
import type { CostEstimate, JobRecord, Usage } from "../types.ts";
import { basisOf, loadCheckpoints, reusable, stepKey } from "./checkpoints.ts";
import { prepareImages } from "./images.ts";
import { enrichmentSaga, type SagaOutcome } from "./saga.ts";
import type { MediaOutcome, SagaStep } from "./steps.ts";
import { checkResults } from "./results.ts";

/** The providers a job uses, per role. */
export interface JobProviders {
  readonly main: EnrichmentProvider;
  readonly screenshots: EnrichmentProvider;
  readonly transcription: EnrichmentProvider;
}

export interface RunnerDeps {
  readonly host: HostPort;
  readonly store: Store;
  readonly ledger: Ledger;
  readonly sessions: SessionSource;
  readonly providersFor: (plan: EnrichmentPlan) => Promise<JobProviders>;
  readonly planFor: (job: JobRecord) => Promise<EnrichmentPlan>;
  readonly processMedia?: (session: SessionView, signal: AbortSignal, jobId: string) => Promise<MediaOutcome>;
  /** Reservations against the session caps and the monthly budget, shared by every job. */
  readonly budget: Budget;
  /** The session's earlier unfinished jobs, newest first: their checkpoints may be adopted. */
  readonly earlierJobs?: (job: JobRecord) => readonly string[];
  /** Redacts secrets (the configured keys included) from a message before it is stored. */
  readonly scrub?: (text: string) => string;
  readonly callTimeoutMs?: number;
  readonly batchPollMs?: number;
  readonly lockMs?: number;
  /** Whether the job holding a session's lock has finished (its lock is then stale). */
  readonly lockHolderFinished?: (jobId: string) => boolean;
  /** Observes each provider call that completed and was checkpointed (history checker). */
  readonly onStepCommitted?: (jobId: string, stepId: string) => void;
}

const LockSchema = { parse: (value: unknown) => value as { jobId: string; expiresAt: number } };

export { deleteCheckpoints } from "./checkpoints.ts";

/** An answer that fails validation is asked for again at most this many times in one run. */
export const MAX_REASKS = 2;

/** Serializes checkpoint + ledger commits so the monthly total never loses an update. */
function createMutex() {
  let tail = Promise.resolve();
  return <T>(body: () => Promise<T>): Promise<T> => {
    const run = tail.then(body, body);
    tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
}

function sleep(host: HostPort, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const id = host.timers.setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      host.timers.clearTimeout(id);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export { checkResults, timelineOf } from "./results.ts";

/** Runs the saga for one job: performs effects, checkpoints each step, replays on resume. */
export function createSagaRunner(deps: RunnerDeps) {
  const commit = createMutex();
  const timeoutMs = deps.callTimeoutMs ?? 120_000;
  const lockMs = deps.lockMs ?? 60_000;

  async function acquireLock(job: JobRecord): Promise<void> {
    const key = `locks/${job.sessionId}.json`;
    const now = deps.host.clock.now();
    const held = await deps.store.getJson(key, LockSchema);
    // A lock left by a job that has since finished (failed as a poison pill, cancelled) guards nothing.
    if (held !== undefined && held.jobId !== job.id && held.expiresAt > now && deps.lockHolderFinished?.(held.jobId) !== true) {
      throw new RetryAfterError("enrichment.locked", `session ${job.sessionId} is being enriched by job ${held.jobId}`, held.expiresAt - now);
    }
    await deps.store.putJson(key, { jobId: job.id, expiresAt: now + lockMs }, { priority: "critical" });
  }

  async function releaseLock(job: JobRecord): Promise<void> {
    const key = `locks/${job.sessionId}.json`;
    const held = await deps.store.getJson(key, LockSchema);
    if (held?.jobId === job.id) await deps.store.delete(key);
  }

  return async function run(job: JobRecord, control: JobControl): Promise<SagaOutcome> {
    const plan = await deps.planFor(job);
    const providers = await deps.providersFor(plan);
    const checkpoints = await loadCheckpoints(deps.store, job.id, deps.earlierJobs?.(job) ?? []);
    const scrub = deps.scrub ?? ((text: string) => text);
    // Each provider call gets its own signal, linked to the job's and unlinked after the step:
    // the SDKs add an abort listener per request and never remove it, so handing them the
    // job's signal would pile up a listener for every call of a long job.
    const links = new Set<() => void>();
    const call = (ms = timeoutMs): CallContext => {
      const parent = control.signal;
      const child = new AbortController();
      if (parent.aborted) child.abort(parent.reason);
      const forward = () => child.abort(parent.reason);
      parent.addEventListener("abort", forward, { once: true });
      links.add(() => parent.removeEventListener("abort", forward));
      return { signal: child.signal, timeoutMs: ms };
    };
    const unlinkCalls = () => {
      for (const unlink of links) unlink();
      links.clear();
    };
    // The ledger is the truth: a crash may have left the job record a few calls behind it.
    const recorded = await deps.ledger.jobTotal(job.id);
    let cost = recorded > 0 ? recorded : job.cost.actualUsd;
    let sessionCost = await deps.ledger.sessionTotal(job.sessionId);
    let jobEstimate: CostEstimate | undefined;
    let estimatedUsd = job.cost.estimatedUsd;
    const costNow = () => (estimatedUsd === undefined ? { actualUsd: cost } : { estimatedUsd, actualUsd: cost });
    let redactions = job.redactions;
    let stage = job.stage;
    let progress = job.progress;
    let locked = false;
    let session: SessionView | undefined;

    const redactFor = <T>(provider: EnrichmentProvider, value: T): T => {
      if (provider.local) return value;
      const result = redactDeep(value, { emails: plan.redactEmails });
      redactions += result.count;
      return result.value;
    };

    let prepared: ImageInput[][] | undefined;
    const images = async (shots: readonly SessionView["screenshots"][number][]) => {
      const prepared = await prepareImages(deps.host, deps.sessions, providers.screenshots, plan, shots);
      redactions += prepared.blackedOut;
      return prepared.images;
    };

    async function estimate(view: SessionView) {
      const shape = {
        durationMs: view.durationMs,
        screenshots: view.screenshots.filter((s) => !s.isDuplicate),
        audioSeconds: view.audio.filter((a) => !a.silent).reduce((sum, a) => sum + (a.tEnd - a.tStart) / 1000, 0),
        markers: view.markers.length,
      };
      const result = estimateCost(shape, plan);
      const maxCost = job.options.maxCost;
      if (maxCost !== undefined && result.totalUsd > maxCost) {
        throw new NonRetriableError("enrichment.cost_exceeded", `stopped at cap: estimated $${result.totalUsd.toFixed(4)} exceeds the cap of $${maxCost.toFixed(4)}`, { data: { estimate: result } });
      }
      // Hold what the rest of the job should cost, against the cap and the budget, before any call.
      const remaining = Math.max(0, result.totalUsd - cost);
      if (remaining > 0) await deps.budget.reserve({ jobId: job.id, sessionId: job.sessionId, amountUsd: remaining, capUsd: maxCost, spentUsd: cost, at: deps.host.clock.now() });
      jobEstimate = result;
      estimatedUsd = result.totalUsd;
      await control.progress(stage, progress, { cost: costNow() });
      return result;
    }

    /** Performs one step's effect; returns its result and the usage to put in the ledger. */
    async function perform(step: SagaStep): Promise<{ result: unknown; usage: readonly Usage[] }> {
      switch (step.kind) {
        case "stage":
          return { result: undefined, usage: [] };
        case "load": {
          const view = await deps.sessions.load(job.sessionId);
          if (view === undefined) throw new NonRetriableError("session.not_found", `no session ${job.sessionId}`);
          session = view;
          return { result: view, usage: [] };
        }
        case "estimate":
          return { result: await estimate(step.session), usage: [] };
        case "lock":
          await acquireLock(job);
          locked = true;
          return { result: { acquired: true }, usage: [] };
        case "media": {
          if (deps.processMedia === undefined) return { result: { status: "skipped", detail: "no media processor" } satisfies MediaOutcome, usage: [] };
          try {
            return { result: await deps.processMedia(step.session, control.signal, job.id), usage: [] };
          } catch (error) {
            if (control.signal.aborted) throw error;
            // The transcript and summary do not need the merged media: record why it is missing and go on.
            const detail = scrub(`media processing failed: ${error instanceof Error ? error.message : String(error)}`);
            return { result: { status: "skipped", detail } satisfies MediaOutcome, usage: [] };
          }
        }
        case "transcribe": {
          const provider = providers.transcription;
          if (provider.transcribe === undefined) return { result: [], usage: [] };
          const path = deps.sessions.pathOf(step.segment.attachmentId);
          const bytes = provider.local ? new Uint8Array() : await deps.sessions.read(step.segment.attachmentId);
          const result = await provider.transcribe({ ref: step.segment.ref, tStart: step.segment.tStart, tEnd: step.segment.tEnd, bytes, mimeType: "audio/wav", fileName: `${step.segment.ref}.wav`, path }, call(timeoutMs * 3));
          return { result: result.value, usage: result.usage };
        }
        case "analyse": {
          const sent = prepared?.[0] ?? (await images(step.shots));
          // Every screenshot of the group stayed on the machine: nothing to ask, nothing to pay.
          if (sent.length === 0) return { result: [], usage: [] };
          const result = await providers.screenshots.analyseScreenshots(sent, call());
          return { result: result.value, usage: result.usage };
        }
        case "batch-submit": {
          const groups = prepared ?? [];
          if (prepared === undefined) for (const group of step.groups) groups.push(await images(group));
          return { result: await providers.screenshots.submitScreenshotBatch!(groups, call()), usage: [] };
        }
        case "batch-collect": {
          let wait = deps.batchPollMs ?? 30_000;
          for (;;) {
            const result = await providers.screenshots.collectScreenshotBatch!(step.handle, call());
            if (result !== undefined) {
              const failedGroups = (result.failed ?? []).map((id) => step.handle.customIds.indexOf(id)).filter((index) => index >= 0);
              return { result: { items: result.value, failedGroups }, usage: result.usage };
            }
            if (control.stopping()) throw new ShutdownInterrupt();
            await sleep(deps.host, wait, control.signal);
            wait = Math.min(wait * 2, 10 * 60_000);
          }
        }
        case "review-audio": {
          const result = await providers.main.reviewAudio(redactFor(providers.main, step.context), call());
          return { result: result.value, usage: result.usage };
        }
        case "chapters": {
          const result = await providers.main.chapters(redactFor(providers.main, step.context), call());
          return { result: result.value, usage: result.usage };
        }
        case "summary": {
          const result = await providers.main.summary(redactFor(providers.main, step.context), call());
          return { result: result.value, usage: result.usage };
        }
        case "save": {
          const results = checkResults(step.session, step.draft);
          await deps.sessions.saveResults(job.sessionId, results, deps.host.clock.now());
          return { result: { flagged: results.flagged, results }, usage: [] };
        }
      }
    }

    const safeId = (stepId: string) => stepId.replace(/[^A-Za-z0-9._-]/g, "_");
    const recordEntries = async (tx: Transaction, stepId: string, usage: readonly Usage[], idOf: (index: number) => string) => {
      let added = 0;
      for (const [index, item] of usage.entries()) {
        const entry = await deps.ledger.record(tx, { id: idOf(index), jobId: job.id, sessionId: job.sessionId, stepId, usage: item, at: deps.host.clock.now() });
        added += entry.costUsd;
      }
      return added;
    };
    const counted = (added: number) => {
      cost += added;
      sessionCost += added;
      deps.budget.spent(job.id, deps.host.clock.now(), added);
    };

    async function checkpoint(step: SagaStep & { readonly id: string }, result: unknown, usage: readonly Usage[]): Promise<void> {
      const added = await commit(() =>
        deps.store.transaction(async (tx) => {
          tx.putJson(stepKey(job.id, step.id), { stepId: step.id, basis: basisOf(step, plan), result });
          return recordEntries(tx, step.id, usage, (index) => `${job.id}.${safeId(step.id)}.${index}`);
        }),
      );
      counted(added);
      deps.onStepCommitted?.(job.id, step.id);
    }

    /** A call that was billed but gave nothing to keep: in the ledger all the same, under its own id. */
    async function recordBilled(stepId: string, usage: readonly Usage[]): Promise<void> {
      if (usage.length === 0) return;
      const attempt = deps.host.crypto.randomUUID();
      const added = await commit(() => deps.store.transaction((tx) => recordEntries(tx, stepId, usage, (index) => `${job.id}.${safeId(stepId)}.failed-${attempt}.${index}`)));
      counted(added);
    }

    /** Reserves the step's expected cost, performs it, re-asks a bounded number of times for answers that fail validation. */
    async function performPaid(step: SagaStep & { readonly id: string }): Promise<{ result: unknown; usage: readonly Usage[] }> {
      // Screenshots are prepared first, so the reservation prices them as they will really be sent.
      prepared = undefined;
      if (!providers.screenshots.local && (step.kind === "analyse" || step.kind === "batch-submit")) {
        prepared = [];
        for (const group of step.kind === "analyse" ? [step.shots] : step.groups) prepared.push(await images(group));
      }
      const expected = jobEstimate === undefined ? 0 : stepCostEstimate(step, jobEstimate, plan, prepared);
      for (let asked = 1; ; asked++) {
        if (expected > 0) await deps.budget.reserve({ jobId: job.id, sessionId: job.sessionId, amountUsd: expected, capUsd: job.options.maxCost, spentUsd: cost, at: deps.host.clock.now() });
        try {
          return await perform(step);
        } catch (error) {
          await recordBilled(step.id, billedUsageOf(error));
          if (error instanceof BilledInvalidAnswer && !control.signal.aborted) {
            if (asked <= MAX_REASKS) continue;
            throw new NonRetriableError("enrichment.invalid_response", `step ${step.id}: the answer failed validation ${asked} times; last: ${error.message}`);
          }
          throw error;
        } finally {
          unlinkCalls();
        }
      }
    }

    control.onRenew(async (leaseExpiresAt) => {
      if (locked) await deps.store.putJson(`locks/${job.sessionId}.json`, { jobId: job.id, expiresAt: Math.max(leaseExpiresAt, deps.host.clock.now() + lockMs) });
    });

    const saga = enrichmentSaga({ sessionId: job.sessionId, plan, mediaReady: job.mediaReady });
    try {
      let next = await saga.next();
      while (next.done !== true) {
        const step = next.value;
        if (control.signal.aborted) throw control.signal.reason;
        if (control.stopping() && step.kind !== "stage") throw new ShutdownInterrupt();
        // The user may have replaced the options from another process (`stint enrich` while the app runs).
        if ("id" in step && step.kind !== "estimate" && step.kind !== "save" && (await control.checkReplacement())) throw new ShutdownInterrupt();
        if (step.kind === "stage") {
          stage = step.stage;
          progress = step.progress;
          await control.progress(stage, progress, { cost: costNow(), redactions });
          await deps.sessions.setStatus(job.sessionId, { status: "running", stage, progress, totalCost: sessionCost, jobId: job.id }).catch(() => undefined);
          next = await saga.next(undefined);
          continue;
        }
        // Load, lock, estimate and save run every time; every other step replays from a
        // checkpoint whose basis still matches (its own job's, or an earlier job's of the session).
        if ("id" in step) {
          const stored = checkpoints.get(step.id);
          if (reusable(stored, step, plan, job.id)) {
            next = await saga.next(stored.result);
            continue;
          }
        }
        let performed: Awaited<ReturnType<typeof perform>>;
        try {
          performed = "id" in step ? await performPaid(step) : await perform(step);
        } catch (error) {
          if ("id" in step) control.stepFailed(step.id);
          throw error;
        } finally {
          unlinkCalls();
        }
        const { result, usage } = performed;
        if ("id" in step && basisOf(step, plan) !== undefined) await checkpoint(step, result, usage);
        else if ("id" in step && usage.length > 0) await recordBilled(step.id, usage);
        next = await saga.next(result);
      }
      await control.progress("completed", 1, { cost: costNow(), redactions });
      await deps.sessions.setStatus(job.sessionId, { status: "completed", stage: "completed", progress: 1, totalCost: sessionCost, jobId: job.id });
      // Checkpoints stay until the queue has recorded the job completed (deleteCheckpoints):
      // removed earlier, a crash in between would rerun every step and pay for it twice.
      return next.value;
    } catch (error) {
      await control.progress(stage, progress, { cost: costNow(), redactions }).catch(() => undefined);
      if (!(error instanceof ShutdownInterrupt) && !control.replacing()) {
        const message = scrub(error instanceof Error ? error.message : String(error));
        const retryable = error instanceof EngineError && error.retryable;
        await deps.sessions.setStatus(job.sessionId, { status: retryable ? "queued" : control.signal.aborted ? "cancelled" : "failed", stage, progress, totalCost: sessionCost, lastError: message, jobId: job.id }).catch(() => undefined);
      }
      throw error;
    } finally {
      await saga.return(undefined as never).catch(() => undefined);
      deps.budget.release(job.id);
      if (locked) await releaseLock(job).catch(() => undefined);
      void session;
    }
  };
}
