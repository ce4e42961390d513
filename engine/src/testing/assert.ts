/**
 * A tiny assertion set with no platform dependencies, so suites written with
 * it run in vitest, in Node scripts and inside a bare JavaScriptCore context.
 */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

function show(value: unknown): string {
  try {
    return typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}

export function ok(condition: unknown, message = "expected a truthy value"): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function equal<T>(actual: T, expected: T, message?: string): void {
  if (!Object.is(actual, expected)) throw new AssertionError(`${message ? `${message}: ` : ""}expected ${show(expected)}, got ${show(actual)}`);
}

export function deepEqual(actual: unknown, expected: unknown, message?: string): void {
  const a = show(actual);
  const e = show(expected);
  if (a !== e) throw new AssertionError(`${message ? `${message}: ` : ""}expected ${e}, got ${a}`);
}

export function bytesEqual(actual: Uint8Array, expected: Uint8Array, message?: string): void {
  ok(actual instanceof Uint8Array, `${message ?? "bytes"}: expected a Uint8Array, got ${Object.prototype.toString.call(actual)}`);
  equal(actual.length, expected.length, `${message ?? "bytes"} length`);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) throw new AssertionError(`${message ?? "bytes"}: differ at byte ${i}`);
  }
}

/** Asserts that `run` rejects; returns the error. `code` checks `error.code`. */
export async function rejects(run: () => Promise<unknown>, code?: string, message?: string): Promise<Error & { code?: string }> {
  try {
    await run();
  } catch (error) {
    const typed = error as Error & { code?: string };
    if (code !== undefined && typed?.code !== code) {
      throw new AssertionError(`${message ? `${message}: ` : ""}expected rejection with code ${code}, got ${show(typed?.code)} (${typed?.message})`);
    }
    return typed;
  }
  throw new AssertionError(`${message ? `${message}: ` : ""}expected a rejection${code ? ` with code ${code}` : ""}`);
}
