import * as z from "zod";
import { EngineError } from "../../bridge/index.ts";
import { classifyFailure } from "../retry-policy.ts";
import type { Usage } from "../types.ts";
import type { CallContext } from "./port.ts";

/**
 * A call that was answered (and billed) but whose answer failed validation: the
 * usage travels with the error so the ledger, the cap and the budget count it.
 */
export class BilledInvalidAnswer extends EngineError {
  constructor(
    message: string,
    readonly usage: readonly Usage[],
  ) {
    super("enrichment.invalid_response", message, { retryable: true });
    this.name = "BilledInvalidAnswer";
  }
}

const BILLED_USAGE = new WeakMap<object, readonly Usage[]>();

/** Marks any error with usage already billed before it was thrown (the first parts of a split upload). */
export function withBilledUsage<E>(error: E, usage: readonly Usage[]): E {
  if (usage.length > 0 && error !== null && typeof error === "object") BILLED_USAGE.set(error, [...(BILLED_USAGE.get(error) ?? []), ...usage]);
  return error;
}

/** Every usage an error carries: billed calls the ledger must still count. */
export function billedUsageOf(error: unknown): readonly Usage[] {
  if (error === null || typeof error !== "object") return [];
  return [...(error instanceof BilledInvalidAnswer ? error.usage : []), ...(BILLED_USAGE.get(error) ?? [])];
}

/** Runs the validation of an answer already paid for; a failure carries the usage. */
export function billed<T>(usage: readonly Usage[], validate: () => T): T {
  try {
    return validate();
  } catch (error) {
    if (error instanceof BilledInvalidAnswer) throw error;
    throw new BilledInvalidAnswer(error instanceof Error ? error.message : String(error), usage);
  }
}

/** The SDKs' error classes we tell apart; both SDKs share these shapes. */
export interface SdkErrorClasses {
  readonly APIError: abstract new (...args: never[]) => Error;
  readonly APIUserAbortError: abstract new (...args: never[]) => Error;
  readonly APIConnectionError: abstract new (...args: never[]) => Error;
  readonly APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
}

function errorTypeOf(body: unknown): string | undefined {
  if (body === null || typeof body !== "object") return undefined;
  const record = body as Record<string, unknown>;
  const nested = record.error;
  if (nested !== null && typeof nested === "object") {
    const inner = nested as Record<string, unknown>;
    return [inner.type, inner.code].filter((v) => typeof v === "string").join(" ") || undefined;
  }
  return [record.type, record.code].filter((v) => typeof v === "string").join(" ") || undefined;
}

/** Maps anything an SDK call threw to an `EngineError` the queue can classify. */
export function mapSdkError(error: unknown, provider: string, classes: SdkErrorClasses, call: CallContext, now: number): EngineError {
  if (error instanceof EngineError) return error;
  if (call.signal.aborted) return new EngineError("enrichment.cancelled", "cancelled", { cause: error });
  if (error instanceof classes.APIConnectionTimeoutError) return classifyFailure({ provider, message: "request timed out", network: "timeout" }, now);
  if (error instanceof classes.APIUserAbortError) return classifyFailure({ provider, message: "request aborted", network: "timeout" }, now);
  if (error instanceof classes.APIConnectionError) return classifyFailure({ provider, message: error.message || "connection failed", network: "network" }, now);
  if (error instanceof classes.APIError) {
    const api = error as Error & { status?: number; headers?: Headers; error?: unknown; code?: unknown; type?: unknown };
    const type = [errorTypeOf(api.error), typeof api.code === "string" ? api.code : undefined, typeof api.type === "string" ? api.type : undefined]
      .filter((v) => v !== undefined)
      .join(" ");
    if (api.status === undefined) return classifyFailure({ provider, message: api.message, network: "network" }, now);
    return classifyFailure(
      { provider, status: api.status, retryAfterHeader: api.headers?.get?.("retry-after") ?? null, errorType: type || undefined, message: api.message },
      now,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  // A missing global or a wrong type is a defect in this build, not weather: retrying cannot help.
  if (error instanceof ReferenceError || error instanceof TypeError) {
    return new EngineError("engine.internal", `${provider}: ${message}`, { retryable: false, cause: error });
  }
  // A JSON parse failure of a malformed body is worth a retry.
  return new EngineError("enrichment.invalid_response", `${provider}: ${message}`, { retryable: true, cause: error });
}

/** Validates a structured answer; garbage is a retryable step error, never saved. */
export function validateOutput<S extends z.ZodType>(schema: S, value: unknown, provider: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join(".") || "value"}: ${issue.message}`).join("; ");
  throw new EngineError("enrichment.invalid_response", `${provider} returned an invalid response: ${issues}`, { retryable: true });
}
