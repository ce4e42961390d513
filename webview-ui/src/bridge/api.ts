import type { ExportFormat, ListQuery, SessionDetail, SessionRow } from "../../../engine/src/review/models.ts";
import type { Edit } from "../../../engine/src/review/edits.ts";
import type { SearchHit, SearchResult } from "../../../engine/src/search/search-index.ts";
import type { BridgeClient } from "./client.ts";

export type { Edit, ExportFormat, ListQuery, SearchHit, SearchResult, SessionDetail, SessionRow };

/** What `review.edit` answers: the corrected parts of the session. */
export type EditResult = Pick<SessionDetail, "tasks" | "notes"> & { readonly summary: SessionDetail["summary"] | null; readonly chapters: NonNullable<SessionDetail["chapters"]> };

/** `library.changed`: a session added, changed or deleted, by this panel or another process. */
export interface LibraryChange {
  readonly kind: "added" | "changed" | "deleted";
  readonly sessionId: string;
  readonly entry?: SessionRow;
}

/**
 * Bridge method names the panel calls outside `review.*`, in one place so
 * that aligning with the session and enrichment features is a one-line edit.
 */
export const METHODS = {
  recordingStart: "session.start",
  recordingPause: "session.pause",
  recordingResume: "session.resume",
  recordingEnd: "session.end",
  recordingMarker: "session.mark",
  recordingCurrent: "session.get",
  enrichmentRetry: "enrichment.enqueue",
  enrichmentStatus: "enrichment.status",
} as const;

/** Engine events the panel listens to. */
export const EVENTS = {
  sessionState: "session.state",
  captureHealth: "capture.health",
  jobProgress: "enrichment.job.progress",
  jobCompleted: "enrichment.job.completed",
  jobFailed: "enrichment.job.failed",
  mediaProgress: "media.progress",
  library: "review.library",
  /** `{ kind: "added" | "changed" | "deleted", sessionId, entry? }`, from any process through the owner. */
  libraryChanged: "library.changed",
} as const;

/** The live recording as the panel shows it. */
export interface RecordingState {
  readonly sessionId?: string;
  readonly state: string;
  readonly startedAt?: number;
  readonly elapsedMs?: number;
}

/** Typed calls over the bridge. */
export interface StintApi {
  readonly client: BridgeClient;
  status(): Promise<{ library: "storage" | "demo" | "none"; features: string[] }>;
  methods(): Promise<string[]>;
  listSessions(query: ListQuery): Promise<{ library: string; sessions: SessionRow[] }>;
  session(id: string, options?: { readonly timelineLimit?: number }): Promise<SessionDetail>;
  timeline(id: string, offset: number, limit: number): Promise<{ items: SessionDetail["timeline"]; total: number }>;
  exportSession(id: string, format: ExportFormat): Promise<{ fileName: string; mimeType: string; text: string }>;
  useDemo(): Promise<{ library: string }>;
  startRecording(params?: Record<string, unknown>): Promise<RecordingState>;
  pauseRecording(): Promise<unknown>;
  resumeRecording(): Promise<unknown>;
  endRecording(): Promise<unknown>;
  addMarker(label?: string): Promise<unknown>;
  currentRecording(): Promise<RecordingState | null>;
  retryEnrichment(sessionId: string): Promise<unknown>;
  rename(id: string, name: string): Promise<{ session: SessionRow }>;
  tags(id: string, change: { readonly add?: readonly string[]; readonly remove?: readonly string[] }): Promise<{ session: SessionRow }>;
  deleteSessions(ids: readonly string[]): Promise<{ pending: string[]; undoMs: number }>;
  undoDelete(ids: readonly string[]): Promise<{ restored: string[] }>;
  edit(id: string, edit: Edit): Promise<EditResult>;
  repairStorage(): Promise<unknown>;
  /** Full-text search through the engine's `search.query`, the query `stint search` and `stint mcp` run. */
  search(query: string, options?: { readonly limit?: number; readonly perSession?: number }): Promise<SearchResult>;
}

export function createApi(client: BridgeClient): StintApi {
  return {
    client,
    status: () => client.request("review.status"),
    methods: async () => (await client.request<{ methods: string[] }>("engine.capabilities")).methods,
    listSessions: (query) => client.request("review.list", { query }),
    session: (id, options) => client.request("review.session", options?.timelineLimit === undefined ? { id } : { id, timelineLimit: options.timelineLimit }),
    timeline: (id, offset, limit) => client.request("review.timeline", { id, offset, limit }),
    exportSession: (id, format) => client.request("review.export", { id, format }),
    useDemo: () => client.request("review.useDemo", { enabled: true }),
    startRecording: (params) => client.request(METHODS.recordingStart, params ?? {}),
    pauseRecording: () => client.request(METHODS.recordingPause),
    resumeRecording: () => client.request(METHODS.recordingResume),
    endRecording: () => client.request(METHODS.recordingEnd, {}, { timeoutMs: 30_000 }),
    addMarker: (label) => client.request(METHODS.recordingMarker, label === undefined ? {} : { note: label }),
    // session.get answers with { session, live }; live is the state event while recording.
    currentRecording: async () => ((await client.request<{ live?: RecordingState | null }>(METHODS.recordingCurrent)).live ?? null),
    retryEnrichment: (sessionId) => client.request(METHODS.enrichmentRetry, { sessionId }),
    rename: (id, name) => client.request("review.rename", { id, name }),
    tags: (id, change) => client.request("review.tags", { id, add: change.add ?? [], remove: change.remove ?? [] }),
    deleteSessions: (ids) => client.request("review.delete", { ids }),
    undoDelete: (ids) => client.request("review.undoDelete", { ids }),
    edit: (id, edit) => client.request("review.edit", { id, edit }),
    repairStorage: () => client.request("storage.repair", {}, { timeoutMs: 60_000 }),
    // The caller's offset from UTC, so before:/after: dates mean local midnight, as in `stint search`.
    search: (query, options) => client.request("search.query", { query, ...options, utcOffsetMinutes: -new Date().getTimezoneOffset() }),
  };
}
