import { EngineError, NonRetriableError, RetryAfterError } from "../bridge/index.ts";
import type { JobError, JobRecord } from "./types.ts";

/** What went wrong with a provider call, independent of the SDK that reported it. */
export interface HttpFailure {
  readonly provider: string;
  /** HTTP status, absent for network failures and timeouts. */
  readonly status?: number;
  readonly retryAfterHeader?: string | null;
  /** The provider's own error type or code (`rate_limit_error`, `insufficient_quota`). */
  readonly errorType?: string;
  readonly message: string;
  readonly network?: "network" | "timeout";
}

const SPEND_LIMIT = /insufficient_quota|billing|spend(?:ing)? limit|usage limit|credit balance|quota/i;

/** Seconds or an HTTP date, as providers send `retry-after`. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/**
 * Classifies a failed call: non-retryable (400, 401, 403, spend-limit 429,
 * other 4xx) fails the job at once with the provider's reason; a plain 429
 * waits what the provider asked; 529, 5xx, network errors and timeouts back off.
 */
export function classifyFailure(failure: HttpFailure, now: number): EngineError {
  const reason = `${failure.provider}: ${failure.message}`;
  const data = { provider: failure.provider, status: failure.status, errorType: failure.errorType };
  if (failure.network !== undefined) {
    return new EngineError("enrichment.provider_unavailable", `${reason} (${failure.network})`, { retryable: true, data: { ...data, network: failure.network } });
  }
  const status = failure.status ?? 0;
  if (status === 429) {
    if (SPEND_LIMIT.test(failure.errorType ?? "") || SPEND_LIMIT.test(failure.message)) {
      return new NonRetriableError("enrichment.provider_error", `spend limit reached: ${reason}`, { data: { ...data, spendLimit: true } });
    }
    const retryAfterMs = parseRetryAfter(failure.retryAfterHeader, now);
    if (retryAfterMs !== undefined) return new RetryAfterError("enrichment.provider_error", reason, retryAfterMs, { data });
    return new EngineError("enrichment.provider_error", reason, { retryable: true, data });
  }
  if (status === 408 || status === 409 || status >= 500) {
    return new EngineError("enrichment.provider_unavailable", reason, { retryable: true, data });
  }
  return new NonRetriableError("enrichment.provider_error", reason, { data });
}

/** The first delays of the backoff schedule, then doubling with jitter up to the cap. */
export const BACKOFF_SCHEDULE_MS = [0, 1000, 2000, 4000] as const;
export const BACKOFF_CAP_MS = 15 * 60_000;
/** A job that keeps failing transiently gives up once this old. */
export const RETRY_HORIZON_MS = 24 * 3600_000;
/** A retry-after longer than this is treated as a plain backoff at the cap. */
const RETRY_AFTER_CAP_MS = 3600_000;

/**
 * Delay before retry number `attempt` (1-based). `random01` supplies jitter
 * (host randomness), so a fleet of jobs does not retry in lockstep.
 */
export function backoffDelay(attempt: number, random01: number): number {
  const index = attempt - 1;
  if (index < BACKOFF_SCHEDULE_MS.length) return BACKOFF_SCHEDULE_MS[Math.max(0, index)]!;
  const base = Math.min(BACKOFF_CAP_MS, 8000 * 2 ** (index - BACKOFF_SCHEDULE_MS.length));
  // Full jitter in the upper half keeps the spread without collapsing to zero.
  return Math.round(base / 2 + (base / 2) * random01);
}

/** How a job reacts to an error thrown by a step. */
export interface RetryDecision {
  readonly retry: boolean;
  readonly delayMs: number;
  readonly error: JobError;
}

export function decideRetry(error: unknown, attempt: number, random01: number, now: number, jobAgeMs: number): RetryDecision {
  const code = error instanceof EngineError ? error.code : "engine.internal";
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof EngineError && error.code === "enrichment.cancelled") {
    return { retry: false, delayMs: 0, error: { code, message, kind: "cancelled", at: now } };
  }
  if (error instanceof RetryAfterError) {
    const delayMs = error.retryAfterMs > RETRY_AFTER_CAP_MS ? BACKOFF_CAP_MS : Math.max(1000, error.retryAfterMs);
    const retry = jobAgeMs + delayMs < RETRY_HORIZON_MS;
    return { retry, delayMs, error: { code, message, kind: "retry-after", at: now } };
  }
  if (error instanceof EngineError && error.retryable) {
    const delayMs = backoffDelay(attempt, random01);
    const retry = jobAgeMs + delayMs < RETRY_HORIZON_MS;
    return { retry, delayMs, error: { code, message, kind: "backoff", at: now } };
  }
  return { retry: false, delayMs: 0, error: { code, message, kind: "non-retryable", at: now } };
}

/**
 * A step is tried at most this many times when its failures may have been billed (timeouts
 * after the request was sent, malformed or invalid answers) before the job fails naming it.
 */
export const MAX_STEP_ATTEMPTS = 4;
/** Failures nobody bills (429, 529, 5xx, refused connections) are bounded by this count as well as by time. */
export const MAX_STEP_UNBILLED_ATTEMPTS = 40;

/** Whether a failed call may still have been billed by the provider. */
export function mayHaveBilled(error: unknown): boolean {
  if (!(error instanceof EngineError)) return true;
  if (error.code === "enrichment.invalid_response") return true;
  return (error.data as { network?: string } | undefined)?.network === "timeout";
}

/**
 * `decideRetry` with retries bounded per step as well as by time: the failing step's
 * count carries over while the same step keeps failing, and past its bound the job
 * fails with a message naming the step. Every message goes through `scrub`.
 */
export function decideStepRetry(
  error: unknown,
  job: { readonly attempts: number; readonly failingStep: JobRecord["failingStep"]; readonly ageMs: number },
  stepId: string | undefined,
  random01: number,
  now: number,
  scrub: (text: string) => string,
): RetryDecision & { readonly failingStep: JobRecord["failingStep"] } {
  const same = stepId !== undefined && job.failingStep?.id === stepId ? job.failingStep : undefined;
  const failingStep = stepId === undefined ? job.failingStep : { id: stepId, attempts: (same?.attempts ?? 0) + 1, billable: (same?.billable ?? 0) + (mayHaveBilled(error) ? 1 : 0) };
  const raw = decideRetry(error, job.attempts + 1, random01, now, job.ageMs);
  const exhausted = raw.retry && failingStep !== undefined && (failingStep.billable >= MAX_STEP_ATTEMPTS || failingStep.attempts >= MAX_STEP_UNBILLED_ATTEMPTS);
  const message = exhausted ? `step ${failingStep.id} failed ${failingStep.attempts} times; last error: ${raw.error.message}` : raw.error.message;
  return { retry: raw.retry && !exhausted, delayMs: raw.delayMs, error: { ...raw.error, message: scrub(message), ...(exhausted ? { kind: "non-retryable" as const } : {}) }, failingStep };
}
