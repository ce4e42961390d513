/**
 * Sessions and recording: the session machine, the recorder glue, capture
 * health, screenshot dedup, markers and interrupted-session recovery.
 *
 * ## Bridge methods (params validated with the zod schemas in `schemas.ts`)
 * - `session.start` {@link SessionStartParamsSchema} → `SessionStateEvent` (state `active`).
 *   `{ name?, tags?, sources?: [{ kind: "display"|"window"|"camera", id }], layout?: "single"|"grid"|"side-by-side",
 *   screenshots?: { enabled, intervalMs }, audio?: { microphone, systemAudio, balance, segmentMs, microphoneId? },
 *   video?: { enabled, fps, segmentSeconds }, excludedBundleIds?, excludedWindowIds?, health?: { silenceMs,
 *   stallFactor, dropRatio, lowDiskBytes, duplicateDistance } }`. `sources` omitted = the main display;
 *   an invalid configuration fails with `session.invalid_config` and `data.field` naming the field.
 * - `session.pause` `{}` / `session.resume` `{}` → `SessionStateEvent`.
 * - `session.end` `{ sessionId? }` → `{ sessionId, status: "completed", integrity }`; with the id of an
 *   `interrupted` session, finalizes that one.
 * - `session.retry` `{}` / `session.dismiss` `{}`: leave the `error` state (RETRY / DISMISS).
 * - `session.mark` `{ note?, sessionId? }` → `{ marker: { id, sessionId, sessionTimeMs, at, note? } }`.
 * - `session.get` `{ sessionId? }` → `{ session: SessionMetadata, live: SessionStateEvent | null, markers,
 *   integrity: IntegrityReport | null, warnings: CaptureHealthEvent[] }`.
 * - `session.list` `{ status?, limit?, offset? }` → `{ sessions: SessionMetadata[], total }`.
 * - `recording.sources` `{}` → `{ sources: CaptureSource[] }`; `recording.permissions` `{}` → `{ screen, microphone, camera }`.
 * - `recording.addSource` `{ kind, id }` / `recording.removeSource` `{ sourceId }` while active or paused →
 *   `{ sources }` (the recorder's `addSource`/`removeSource`; the last visual source cannot be removed).
 * Events in the wrong state fail with `session.invalid_transition`, `data: { state, event }`.
 *
 * ## Host → engine notifications (no `id`; never bytes)
 * Only the recorder's own connection may send them (caller `"recorder"`; the panel and commands cannot).
 * `path` must name a plain file in the session's staging folder `capture/<sessionId>/` (data-relative, or an
 * absolute path ending there); anything else is refused with `recording.invalid_item`. The file is hashed on
 * adoption unless the host declares `recorderHashes`.
 * - `recording.screenshot` {@link RecordingScreenshotSchema}: `{ sessionId, sequence, path, sha256, size, width,
 *   height, capturedAt, mimeType?, sourceId?, perceptualHash? }`
 * - `recording.audio` {@link RecordingAudioSchema}: `{ sessionId, sequence, path, sha256, size, durationMs,
 *   startedAt, mimeType?, sampleRate?, channels?, peak?, source? }`
 * - `recording.video` {@link RecordingVideoSchema}: `{ sessionId, sequence, path, sha256, size, durationMs,
 *   startedAt, width, height, fps?, mimeType? }`
 * - `recording.health` {@link RecordingHealthSchema}: by `kind` — `level { peak }`, `drops { service, dropped }`,
 *   `disk { freeBytes, totalBytes? }`, `permission { permission, state }`, `write_failed { service, code }`,
 *   `buffer { service, fill }`; each with `sessionId` and `at`.
 * `sequence` counts from 0 per service; a gap counts as dropped, a repeat is ignored (redelivery).
 * Unless `host.info.nativeHash`, the engine re-hashes the file and rejects a mismatch
 * (`recording.hash_mismatch`); an unknown session gets `recording.unknown_session`.
 * Paths may be relative (resolved against the data directory): the engine asks the recorder
 * to write under `capture/{sessionId}/`.
 *
 * ## Engine events
 * - `session.state` `SessionStateEvent`: `{ state, status, sessionId, name, startedAt, endedAt, activeMs,
 *   pausedMs, pauses, services: { screenshots|audio|video: { state, health, enabled, lastActivity, errorCount,
 *   metrics: { itemsRecorded, droppedItems, averageLatency } } } | null, error, at }`. On engine start a
 *   session left active/paused is reported once with `status: "interrupted"`.
 * - `capture.health` {@link CaptureHealthEventSchema}: `{ sessionId, service, kind, severity, resolved,
 *   message, at, sessionTimeMs, health }`.
 * - `session.marker` `Marker` when a marker is added.
 *
 * ## For other features
 * `ctx.features.get("session")` is a {@link SessionFeature}: `onSessionEnded(listener)` (called after a
 * session is completed and its integrity report saved), `getMarkers(id)`, `getIntegrityReport(id)`.
 */
export { createSessionFeature, sessionFeature, type SessionEndedEvent, type SessionFeature, type SessionFeatureOptions } from "./feature.ts";
export * from "./schemas.ts";
export { createSessionMachine, initialContext, sessionTimeMs, type SessionMachineContext, type SessionMachineState, type SessionEffects, type PauseSpan } from "./machine.ts";
export { requiredPermissions, toRecorderConfig } from "./effects.ts";
export { sessionTimeAt } from "./timeline.ts";
export type { SessionStateEvent, SessionStatusName } from "./state-event.ts";
export { DIGITAL_SILENCE_PEAK } from "./health.ts";
export { KEYS as SESSION_KEYS, type SessionStoragePort } from "./storage-port.ts";
