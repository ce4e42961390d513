import * as z from "zod";
import { defineMethod, EngineError } from "../bridge/index.ts";
import type { EngineContext, Feature, FeatureFactory } from "../engine/index.ts";
import { createDemoLibrary } from "./demo-library.ts";
import { exportSession } from "./export-report.ts";
import { EMPTY_LIBRARY, type ReviewLibrary } from "./library.ts";
import { filterSessions } from "./list-query.ts";
import { createDemoOverlay, createStoredManager, type LibraryManager } from "./library-manager.ts";
import { createManagement } from "./review-manage.ts";
import { createStoredLibrary, type ReviewStorage } from "./stored-library.ts";
import { ExportFormatSchema, ListQuerySchema, type SessionDetail } from "./review-schemas.ts";

const IdSchema = z.string().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/, "session ids are letters, digits, - and _");

function looksLikeStorage(value: unknown): value is ReviewStorage {
  if (value === null || typeof value !== "object") return false;
  const candidate = value as Partial<ReviewStorage>;
  return typeof candidate.store === "object" && typeof candidate.sessions === "object" && typeof candidate.attachments === "object";
}

/** Storage among earlier features: the feature itself, or its `storage` property or getter. Looked up per call, as storage opens in `start()`. */
function findStorage(features: ReadonlyMap<string, unknown>): ReviewStorage | undefined {
  const feature = features.get("storage");
  if (looksLikeStorage(feature)) return feature;
  const inner = (feature as { storage?: unknown } | undefined)?.storage;
  const value = typeof inner === "function" ? (inner as () => unknown)() : inner;
  return looksLikeStorage(value) ? value : undefined;
}

/** The review feature as other code sees it (the dev server reads blobs through it). */
export interface ReviewFeature extends Feature {
  readonly name: "review";
  library(): ReviewLibrary;
}

export interface ReviewFeatureOptions {
  /** Builds the stored library from earlier features; absent or undefined means none yet. */
  readonly storedLibrary?: (context: EngineContext) => ReviewLibrary | undefined;
  /** Start on the demo library (the zero-server demo, tests, benchmarks). */
  readonly demo?: boolean;
}

/** The `review.*` methods: list, session detail, export, and the demo library switch. */
export function createReviewFeatureFactory(options: ReviewFeatureOptions = {}): FeatureFactory {
  return (context): ReviewFeature => {
    const stored = options.storedLibrary === undefined ? createStoredLibrary(() => findStorage(context.features)) : options.storedLibrary(context);
    const storedManager = createStoredManager(() => findStorage(context.features), () => context.host.clock.now());
    const choose = (demo: boolean): { library: ReviewLibrary; manager: LibraryManager } =>
      demo ? createDemoOverlay(createDemoLibrary(context.host.clock.now())) : { library: stored ?? EMPTY_LIBRARY, manager: storedManager };
    let current = choose(options.demo === true);
    let library: ReviewLibrary = current.library;
    const management = createManagement(context, () => current);

    /** The session with the user's corrections over the AI's output; chapters listed whole. */
    async function mustGetDetail(id: string): Promise<SessionDetail> {
      const detail = await library.detail(id);
      if (detail === undefined || management.isPending(id)) throw new EngineError("review.not_found", `no session ${id} in the ${library.kind} library`, { data: { id } });
      return management.withEdits(detail);
    }

    return {
      name: "review",
      library: () => library,
      stop: () => management.flush(),
      methods: {
        ...management.methods,
        "review.status": defineMethod(z.object({}).strict(), () => ({
          library: library.kind === "storage" && findStorage(context.features) === undefined ? "none" : library.kind,
          features: [...context.features.keys()],
        })),
        "review.list": defineMethod(z.object({ query: ListQuerySchema.optional() }).strict(), async ({ query }) => {
          const rows = await library.list(query ?? {});
          const kind = library.kind === "storage" && findStorage(context.features) === undefined ? "none" : library.kind;
          return { library: kind, sessions: filterSessions(rows.filter((row) => !management.isPending(row.id)), query ?? {}) };
        }),
        // Long sessions open fast: the first items with the rest of the detail, the timeline's tail paged by `review.timeline`.
        "review.session": defineMethod(z.object({ id: IdSchema, timelineLimit: z.number().int().positive().max(100_000).optional() }).strict(), async ({ id, timelineLimit }) => {
          const detail = await mustGetDetail(id);
          if (timelineLimit === undefined || detail.timeline.length <= timelineLimit) return { ...detail, timelineTotal: detail.timeline.length };
          return { ...detail, timeline: detail.timeline.slice(0, timelineLimit), timelineTotal: detail.timeline.length };
        }),
        "review.timeline": defineMethod(
          z.object({ id: IdSchema, offset: z.number().int().nonnegative(), limit: z.number().int().positive().max(20_000) }).strict(),
          async ({ id, offset, limit }) => {
            const detail = await mustGetDetail(id);
            return { items: detail.timeline.slice(offset, offset + limit), total: detail.timeline.length };
          },
        ),
        "review.export": defineMethod(z.object({ id: IdSchema, format: ExportFormatSchema }).strict(), async ({ id, format }) =>
          exportSession(await mustGetDetail(id), format, context.host.clock.now()),
        ),
        "review.useDemo": defineMethod(z.object({ enabled: z.boolean().default(true) }).strict(), ({ enabled }) => {
          current = choose(enabled);
          library = current.library;
          context.emit("review.library", { library: library.kind });
          return { library: library.kind };
        }),
      },
    };
  };
}
