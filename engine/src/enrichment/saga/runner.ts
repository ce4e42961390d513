import { EngineError, NonRetriableError, RetryAfterError } from "../../bridge/index.ts";
import type { HostPort } from "../../host/index.ts";
import type { Store } from "../../storage/index.ts";
import { estimateCost, maxEdgeFor } from "../cost/estimate.ts";
import { monthOf, type Ledger } from "../cost/ledger.ts";
import { downscalePng } from "../downscale.ts";
import { checkEvidence, type Timeline } from "../evidence.ts";
import type { EnrichmentPlan } from "../plan.ts";
import type { CallContext, EnrichmentProvider, ImageInput } from "../providers/port.ts";
import { ShutdownInterrupt, type JobControl } from "../queue.ts";
import { redactDeep } from "../redaction.ts";
import type { EnrichmentResults, SessionSource, SessionView } from "../session-source.ts";
import type { JobRecord, Usage } from "../types.ts";
import { enrichmentSaga, type SagaOutcome } from "./saga.ts";
import type { MediaOutcome, ResultDraft, SagaStep } from "./steps.ts";

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
  readonly monthlyBudgetUsd?: number;
  readonly callTimeoutMs?: number;
  readonly batchPollMs?: number;
  readonly lockMs?: number;
  /** Whether the job holding a session's lock has finished (its lock is then stale). */
  readonly lockHolderFinished?: (jobId: string) => boolean;
  /** Observes each provider call that completed and was checkpointed (history checker). */
  readonly onStepCommitted?: (jobId: string, stepId: string) => void;
}

const LockSchema = { parse: (value: unknown) => value as { jobId: string; expiresAt: number } };

/** Removes a finished job's checkpoints; call only once its completion is durable. */
export async function deleteCheckpoints(store: Store, jobId: string): Promise<void> {
  const stale = await store.list(`checkpoints/${jobId}/`);
  if (stale.length > 0) await store.transaction(async (tx) => stale.forEach((key) => tx.delete(key)));
}

function stepKey(jobId: string, stepId: string): string {
  return `checkpoints/${jobId}/${stepId.replace(/[^A-Za-z0-9._-]/g, "_")}.json`;
}

const CheckpointSchema = { parse: (value: unknown) => value as { stepId: string; result: unknown } };

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

export function timelineOf(session: SessionView): Timeline {
  return {
    durationMs: session.durationMs,
    screenshots: new Map(session.screenshots.map((s) => [s.ref, s.t])),
    audio: new Map(session.audio.map((a) => [a.ref, { tStart: a.tStart, tEnd: a.tEnd }])),
    markers: new Map(session.markers.map((m) => [m.ref, m.t])),
  };
}

/** Checks every result's evidence against the real timeline. */
export function checkResults(session: SessionView, draft: ResultDraft): EnrichmentResults {
  const timeline = timelineOf(session);
  const chapters = draft.chapters.map((c) => checkEvidence(c, timeline));
  const points = draft.summary.points.map((p) => checkEvidence(p, timeline));
  const tasks = draft.summary.tasks.map((t) => checkEvidence(t, timeline));
  const notes = draft.summary.notes.map((n) => checkEvidence(n, timeline));
  const flagged = [...chapters, ...points, ...tasks, ...notes].filter((item) => item.flagged).length;
  return { provider: draft.provider, local: draft.local, screenshots: draft.screenshots, transcript: draft.transcript, audioReview: draft.audioReview, chapters, summary: { ...draft.summary, points, tasks, notes }, flagged };
}

/** Runs the saga for one job: performs effects, checkpoints each step, replays on resume. */
export function createSagaRunner(deps: RunnerDeps) {
  const commit = createMutex();
  const timeoutMs = deps.callTimeoutMs ?? 120_000;
  const lockMs = deps.lockMs ?? 60_000;

  async function loadCheckpoints(jobId: string): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    for (const key of await deps.store.list(`checkpoints/${jobId}/`)) {
      const checkpoint = await deps.store.getJson(key, CheckpointSchema);
      if (checkpoint !== undefined) out.set(checkpoint.stepId, checkpoint.result);
    }
    return out;
  }

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
    const checkpoints = await loadCheckpoints(job.id);
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
    let cost = job.cost.actualUsd;
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

    async function images(shots: readonly SessionView["screenshots"][number][]): Promise<ImageInput[]> {
      const out: ImageInput[] = [];
      for (const shot of shots) {
        const path = deps.sessions.pathOf(shot.attachmentId);
        const maxEdge = maxEdgeFor(shot.width, shot.height, plan.tokenBudget);
        if (!providers.screenshots.local && deps.host.imaging !== undefined && maxEdge < Math.max(shot.width, shot.height)) {
          const scaled = await deps.host.imaging.downscale(path, maxEdge);
          out.push({ ref: shot.ref, t: shot.t, bytes: scaled.bytes, mimeType: scaled.mimeType, width: scaled.width, height: scaled.height, path });
        } else {
          const bytes = providers.screenshots.local ? new Uint8Array() : await deps.sessions.read(shot.attachmentId);
          // No native imaging: downscale in the engine so the image costs what the estimate said.
          const scaled = providers.screenshots.local || maxEdge >= Math.max(shot.width, shot.height) ? undefined : downscalePng(bytes, maxEdge);
          out.push(scaled === undefined ? { ref: shot.ref, t: shot.t, bytes, mimeType: shot.mimeType, width: shot.width, height: shot.height, path } : { ref: shot.ref, t: shot.t, path, ...scaled });
        }
      }
      return out;
    }

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
        throw new NonRetriableError("enrichment.cost_exceeded", `estimated $${result.totalUsd.toFixed(4)} exceeds the cap of $${maxCost.toFixed(4)}`, { data: { estimate: result } });
      }
      if (deps.monthlyBudgetUsd !== undefined && result.totalUsd > 0) {
        const spent = await deps.ledger.monthTotal(monthOf(deps.host.clock.now()));
        if (spent + result.totalUsd > deps.monthlyBudgetUsd) {
          throw new NonRetriableError("enrichment.budget_exceeded", `this month's budget of $${deps.monthlyBudgetUsd.toFixed(2)} would be exceeded ($${spent.toFixed(4)} spent, $${result.totalUsd.toFixed(4)} estimated)`);
        }
      }
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
            const detail = `media processing failed: ${error instanceof Error ? error.message : String(error)}`;
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
          const result = await providers.screenshots.analyseScreenshots(await images(step.shots), call());
          return { result: result.value, usage: result.usage };
        }
        case "batch-submit": {
          const groups = [];
          for (const group of step.groups) groups.push(await images(group));
          return { result: await providers.screenshots.submitScreenshotBatch!(groups, call()), usage: [] };
        }
        case "batch-collect": {
          let wait = deps.batchPollMs ?? 30_000;
          for (;;) {
            const result = await providers.screenshots.collectScreenshotBatch!(step.handle, call());
            if (result !== undefined) return { result: result.value, usage: result.usage };
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

    async function checkpoint(stepId: string, result: unknown, usage: readonly Usage[]): Promise<void> {
      await commit(() =>
        deps.store.transaction(async (tx) => {
          tx.putJson(stepKey(job.id, stepId), { stepId, result });
          for (const [index, item] of usage.entries()) {
            const entry = await deps.ledger.record(tx, { id: `${job.id}.${stepId.replace(/[^A-Za-z0-9._-]/g, "_")}.${index}`, jobId: job.id, sessionId: job.sessionId, stepId, usage: item, at: deps.host.clock.now() });
            cost += entry.costUsd;
          }
        }),
      );
      deps.onStepCommitted?.(job.id, stepId);
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
        if (step.kind === "stage") {
          stage = step.stage;
          progress = step.progress;
          await control.progress(stage, progress, { cost: costNow(), redactions });
          await deps.sessions.setStatus(job.sessionId, { status: "running", stage, progress, totalCost: cost, jobId: job.id }).catch(() => undefined);
          next = await saga.next(undefined);
          continue;
        }
        // The lock is taken on every run (it may have expired); everything else replays from its checkpoint.
        if ("id" in step && step.kind !== "lock" && checkpoints.has(step.id)) {
          next = await saga.next(checkpoints.get(step.id));
          continue;
        }
        let performed: Awaited<ReturnType<typeof perform>>;
        try {
          performed = await perform(step);
        } finally {
          unlinkCalls();
        }
        const { result, usage } = performed;
        if ("id" in step && step.kind !== "lock") await checkpoint(step.id, result, usage);
        next = await saga.next(result);
      }
      await control.progress("completed", 1, { cost: costNow(), redactions });
      await deps.sessions.setStatus(job.sessionId, { status: "completed", stage: "completed", progress: 1, totalCost: cost, jobId: job.id });
      // Checkpoints stay until the queue has recorded the job completed (deleteCheckpoints):
      // removed earlier, a crash in between would rerun every step and pay for it twice.
      return next.value;
    } catch (error) {
      await control.progress(stage, progress, { cost: costNow(), redactions }).catch(() => undefined);
      if (!(error instanceof ShutdownInterrupt)) {
        const message = error instanceof Error ? error.message : String(error);
        const retryable = error instanceof EngineError && error.retryable;
        await deps.sessions.setStatus(job.sessionId, { status: retryable ? "queued" : control.signal.aborted ? "cancelled" : "failed", stage, progress, totalCost: cost, lastError: message, jobId: job.id }).catch(() => undefined);
      }
      throw error;
    } finally {
      await saga.return(undefined as never).catch(() => undefined);
      if (locked) await releaseLock(job).catch(() => undefined);
      void session;
    }
  };
}
