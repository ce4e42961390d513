import * as z from "zod";
import { defineMethod, EngineError } from "../bridge/index.ts";
import type { EngineContext, Feature, FeatureFactory } from "../engine/index.ts";
import { BackgroundMediaProcessor, type MediaResult } from "../media/index.ts";
import type { SessionFeature } from "../session/index.ts";
import { applyRetention, type StorageFeature } from "../storage/index.ts";
import { monthOf } from "./cost/ledger.ts";
import { createEnrichmentDeleteCascade } from "./delete-cascade.ts";
import { BackgroundEnrichmentManager } from "./manager.ts";
import type { SessionSource, SessionView } from "./session-source.ts";
import { createSettingsMethods, loadSettings, type EngineSettingsState } from "./settings.ts";
import { createStorageSessionSource } from "./storage-source.ts";
import { EnrichmentOptionsSchema, JobPrioritySchema, type EnrichmentOptions } from "./types.ts";

/** `enrichment.enqueue` params: the session plus any job option. */
export const EnqueueParamsSchema = EnrichmentOptionsSchema.extend({
  sessionId: z.string().min(1).max(100),
  priority: JobPrioritySchema.optional(),
  mediaReady: z.boolean().optional(),
}).strict();
export const EstimateParamsSchema = EnrichmentOptionsSchema.extend({ sessionId: z.string().min(1).max(100) }).strict();
export const JobIdParamsSchema = z.object({ jobId: z.string().min(1).max(100) }).strict();
export const StatusParamsSchema = z.object({ jobId: z.string().min(1).max(100).optional(), sessionId: z.string().min(1).max(100).optional() }).strict();
export const SessionIdParamsSchema = z.object({ sessionId: z.string().min(1).max(100) }).strict();
export const LedgerParamsSchema = z.object({ month: z.string().regex(/^\d{4}-\d{2}$/).optional() }).strict();

export interface EnrichmentFeatureOptions {
  /** Overrides the providers' fetch (tests); default `createHostFetch(host)`. */
  readonly fetch?: typeof fetch;
  readonly monthlyBudgetUsd?: number;
  readonly defaults?: EnrichmentOptions;
  /** Enqueue every session that ends (default true). */
  readonly autoEnqueue?: boolean;
  /** Overrides where sessions are read (tests). */
  readonly sessions?: SessionSource;
  readonly batchPollMs?: number;
}

/** What `ctx.features.get("enrichment")` returns. */
export interface EnrichmentFeature extends Feature {
  readonly name: "enrichment";
  readonly manager: BackgroundEnrichmentManager;
  readonly media: BackgroundMediaProcessor;
  processMedia(sessionId: string, signal?: AbortSignal): Promise<MediaResult>;
}

function mediaInput(view: SessionView, sessions: SessionSource) {
  const videoDurationMs = view.videoSegments.reduce((sum, v) => sum + (v.durationMs ?? 0), 0);
  return { sessionId: view.id, audio: view.audio.map((a) => sessions.pathOf(a.attachmentId)), video: view.videoSegments.map((v) => sessions.pathOf(v.attachmentId)), outputDir: `media/${view.id}`, ...(videoDurationMs > 0 ? { videoDurationMs } : {}) };
}

export function createEnrichmentFeature(options: EnrichmentFeatureOptions = {}): FeatureFactory {
  return (ctx: EngineContext): EnrichmentFeature => {
    const storage = ctx.features.get("storage") as StorageFeature | undefined;
    if (storage === undefined) throw new Error("enrichment needs the storage feature before it");
    const session = ctx.features.get("session") as SessionFeature | undefined;
    const sessions = options.sessions ?? createStorageSessionSource({ storage: storage.storage, markers: session === undefined ? undefined : (id) => session.getMarkers(id), now: () => ctx.host.clock.now() });
    const media = new BackgroundMediaProcessor(ctx.host, ctx.emit);
    const settingsState: EngineSettingsState = { retentionDays: null };
    // Retention runs where background work runs: at start and when the setting changes.
    const retention = async () => {
      if (settingsState.retentionDays === null || !ctx.background) return;
      try {
        const busy = new Set(manager.getQueueStatus().jobs.filter((job) => job.status === "active").map((job) => job.sessionId));
        const report = await applyRetention(storage, { now: ctx.host.clock.now(), days: settingsState.retentionDays, keep: (id) => busy.has(id) });
        if (report.deleted.length > 0) {
          ctx.logger.info("retention deleted old sessions", { count: report.deleted.length, freedBytes: report.freedBytes });
          ctx.emit("storage.retention", { deleted: report.deleted, freedBytes: report.freedBytes });
        }
      } catch (error) {
        ctx.logger.warn("retention failed; nothing more was deleted", { error });
      }
    };
    const manager = new BackgroundEnrichmentManager({
      host: ctx.host,
      // A short command keeps the queue as stored: it must not start jobs (and spend) on the side.
      ...(ctx.background ? {} : { maxActive: 0 }),
      store: storage.store,
      sessions,
      emit: ctx.emit,
      fetch: options.fetch,
      monthlyBudgetUsd: options.monthlyBudgetUsd,
      defaults: options.defaults,
      batchPollMs: options.batchPollMs,
      processMedia: async (view, signal) => {
        const result = await media.process(mediaInput(view, sessions), signal);
        await sessions.saveMedia?.(view.id, result);
        return { status: result.status, detail: result.detail, audioPath: result.audioPath, mergedPath: result.mergedPath };
      },
    });
    const processMedia = async (sessionId: string, signal?: AbortSignal) => {
      const view = await sessions.load(sessionId);
      if (view === undefined) throw new EngineError("session.not_found", `no session ${sessionId}`);
      const result = await media.process(mediaInput(view, sessions), signal);
      await sessions.saveMedia?.(view.id, result);
      return result;
    };
    let unsubscribe: (() => void) | undefined;
    let removeCascade: (() => void) | undefined;
    const mustJob = (jobId: string) => {
      const job = manager.getJobStatus(jobId);
      if (job === undefined) throw new EngineError("enrichment.job_not_found", `no enrichment job ${jobId}`);
      return job;
    };
    return {
      name: "enrichment",
      manager,
      media,
      processMedia,
      methods: {
        "enrichment.enqueue": defineMethod(EnqueueParamsSchema, async ({ sessionId, ...rest }) => ({ job: await manager.enqueueSession(sessionId, rest) })),
        "enrichment.estimate": defineMethod(EstimateParamsSchema, async ({ sessionId, ...rest }) => ({ estimate: await manager.estimate(sessionId, rest) })),
        "enrichment.status": defineMethod(StatusParamsSchema, ({ jobId, sessionId }) => {
          if (jobId !== undefined) return { job: mustJob(jobId) };
          if (sessionId !== undefined) return { job: manager.queue.list().find((job) => job.sessionId === sessionId) ?? null };
          throw new EngineError("bridge.invalid_params", "enrichment.status needs jobId or sessionId");
        }),
        "enrichment.queue": defineMethod(z.object({}).strict(), () => manager.getQueueStatus()),
        "enrichment.cancel": defineMethod(JobIdParamsSchema, async ({ jobId }) => ({ job: await manager.cancelJob(jobId) })),
        "enrichment.retry": defineMethod(JobIdParamsSchema, async ({ jobId }) => ({ job: await manager.retryJob(jobId) })),
        "enrichment.mediaComplete": defineMethod(SessionIdParamsSchema, async ({ sessionId }) => ({ job: (await manager.markMediaProcessingComplete(sessionId)) ?? null })),
        "enrichment.ledger": defineMethod(LedgerParamsSchema, async ({ month }) => {
          const which = month ?? monthOf(ctx.host.clock.now());
          return { month: which, totalUsd: await manager.ledger.monthTotal(which), entries: await manager.ledger.entries(which) };
        }),
        "media.process": defineMethod(SessionIdParamsSchema, async ({ sessionId }) => processMedia(sessionId)),
        ...createSettingsMethods(storage.store, manager, settingsState, () => retention()),
      },
      async start() {
        // A session can end while no engine listens (the app quit mid-recording and the
        // session feature ended it on the way out): queue completed sessions never queued.
        const enqueueMissed = async () => {
          const { sessions: completed } = await storage.sessions.listMetadata({ status: "completed" });
          for (const metadata of completed) {
            if (metadata.enrichmentStatus !== undefined || manager.getQueueStatus().jobs.some((job) => job.sessionId === metadata.id)) continue;
            try {
              await manager.enqueueSession(metadata.id, { origin: "background" });
            } catch (error) {
              ctx.logger.warn("could not enqueue a session that ended unqueued", { sessionId: metadata.id, error });
            }
          }
        };
        removeCascade = storage.sessions.addDeleteCascade(createEnrichmentDeleteCascade({ queue: manager.queue, store: storage.store, now: () => ctx.host.clock.now() }));
        await loadSettings(storage.store, manager, settingsState, (message, data) => ctx.logger.warn(message, data));
        if (ctx.background) await retention();
        const recovery = await manager.initialize();
        if (recovery.recovered + recovery.poisoned > 0) ctx.logger.info("enrichment recovered stalled jobs", { ...recovery });
        if (options.autoEnqueue !== false && session !== undefined) {
          unsubscribe = session.onSessionEnded(async (event) => {
            try {
              await manager.enqueueSession(event.sessionId, { origin: "background" });
            } catch (error) {
              ctx.logger.warn("could not enqueue the ended session", { sessionId: event.sessionId, error });
            }
          });
        }
        if (options.autoEnqueue !== false && ctx.background) await enqueueMissed();
      },
      async stop() {
        unsubscribe?.();
        removeCascade?.();
        await manager.shutdown();
      },
    };
  };
}
