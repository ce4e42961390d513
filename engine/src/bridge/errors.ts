/** Every error code the engine reports; errors cross the bridge as data, never as throws. */
export type EngineErrorCode =
  | "bridge.invalid_message"
  | "bridge.invalid_params"
  | "bridge.unknown_method"
  | "bridge.payload_too_large"
  | "engine.not_started"
  | "engine.internal"
  | "engine.timeout"
  | "storage.not_found"
  | "storage.invalid_id"
  | "storage.chunk_corrupt"
  | "storage.schema_invalid"
  | "storage.checksum_mismatch"
  | "storage.blob_missing"
  | "storage.disk_full"
  | "storage.io"
  | "storage.permission_denied"
  | "storage.transaction_conflict"
  | "storage.transaction_closed"
  | "storage.migration_failed"
  | "storage.locked"
  | "storage.read_only"
  | "session.invalid_transition"
  | "session.invalid_config"
  | "session.not_found"
  | "session.permission_denied"
  | "session.recorder_unavailable"
  | "session.recorder_failed"
  | "recording.unknown_session"
  | "recording.hash_mismatch"
  | "recording.invalid_item"
  | "enrichment.cost_exceeded"
  | "enrichment.budget_exceeded"
  | "enrichment.provider_error"
  | "enrichment.provider_unavailable"
  | "enrichment.invalid_response"
  | "enrichment.job_not_found"
  | "enrichment.cancelled"
  | "enrichment.locked"
  | "media.unsupported_format"
  | "media.invalid"
  | "media.too_large"
  | "media.unavailable"
  | "media.failed"
  | "review.not_found"
  | "review.session_busy"
  | "review.invalid_edit"
  | "search.invalid_query"
  | "search.unavailable"
  | "settings.invalid";

/** The error shape that crosses the bridge. */
export interface EngineErrorData {
  readonly code: EngineErrorCode;
  readonly message: string;
  readonly retryable: boolean;
  readonly data?: unknown;
}

/** The engine's one error type. */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly retryable: boolean;
  readonly data: unknown;

  constructor(
    code: EngineErrorCode,
    message: string,
    options: { readonly retryable?: boolean; readonly cause?: unknown; readonly data?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EngineError";
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.data = options.data;
  }

  toData(): EngineErrorData {
    return this.data === undefined
      ? { code: this.code, message: this.message, retryable: this.retryable }
      : { code: this.code, message: this.message, retryable: this.retryable, data: this.data };
  }
}

/** For the queue: fail at once, do not retry. */
export class NonRetriableError extends EngineError {
  constructor(code: EngineErrorCode, message: string, options: { readonly cause?: unknown; readonly data?: unknown } = {}) {
    super(code, message, { ...options, retryable: false });
    this.name = "NonRetriableError";
  }
}

/** For the queue: retry, but not before `retryAfterMs`. */
export class RetryAfterError extends EngineError {
  readonly retryAfterMs: number;
  constructor(
    code: EngineErrorCode,
    message: string,
    retryAfterMs: number,
    options: { readonly cause?: unknown; readonly data?: unknown } = {},
  ) {
    super(code, message, { ...options, retryable: true });
    this.name = "RetryAfterError";
    this.retryAfterMs = retryAfterMs;
  }
}

export function isEngineError(value: unknown): value is EngineError {
  return value instanceof EngineError;
}

/** Maps anything thrown to bridge data; unknown errors become `engine.internal` without leaking internals. */
export function toErrorData(error: unknown): EngineErrorData {
  if (error instanceof EngineError) return error.toData();
  const message = error instanceof Error ? error.message : String(error);
  return { code: "engine.internal", message: message || "internal error", retryable: false };
}
