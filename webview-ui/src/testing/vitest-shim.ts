/**
 * Just enough of vitest's describe/it/expect to run the engine's contract
 * suites inside a real browser page (bundled in place of "vitest").
 */

interface TestCase {
  readonly name: string;
  readonly run: () => unknown;
  readonly before: readonly (() => unknown)[];
  readonly after: readonly (() => unknown)[];
}
const registered: TestCase[] = [];
const prefix: string[] = [];
const beforeStack: (() => unknown)[][] = [[]];
const afterStack: (() => unknown)[][] = [[]];

export function describe(name: string, body: () => void): void {
  prefix.push(name);
  beforeStack.push([]);
  afterStack.push([]);
  try {
    body();
  } finally {
    prefix.pop();
    beforeStack.pop();
    afterStack.pop();
  }
}
describe.skip = (_name: string, _body: () => void): void => undefined;

export function it(name: string, run: () => unknown): void {
  registered.push({ name: [...prefix, name].join(" › "), run, before: beforeStack.flat(), after: afterStack.flat().reverse() });
}
it.skip = (_name: string, _run: () => unknown): void => undefined;
export const test = it;

export function beforeEach(fn: () => unknown): void {
  beforeStack[beforeStack.length - 1]?.push(fn);
}
export function afterEach(fn: () => unknown): void {
  afterStack[afterStack.length - 1]?.push(fn);
}

export interface CaseResult {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly ms: number;
}

/** Runs every registered case in order, each bounded by a timeout. */
export async function runRegistered(timeoutMs = 30_000): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const testCase of registered) {
    const started = performance.now();
    try {
      const body = async () => {
        for (const hook of testCase.before) await hook();
        try {
          await testCase.run();
        } finally {
          for (const hook of testCase.after) await hook();
        }
      };
      await Promise.race([body(), new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs))]);
      results.push({ name: testCase.name, ok: true, ms: performance.now() - started });
    } catch (error) {
      results.push({ name: testCase.name, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), ms: performance.now() - started });
    }
  }
  return results;
}

const MATCHER = Symbol("matcher");
interface Asymmetric {
  readonly [MATCHER]: (actual: unknown) => boolean;
  readonly description: string;
}

function isAsymmetric(value: unknown): value is Asymmetric {
  return value !== null && typeof value === "object" && MATCHER in value;
}

function show(value: unknown): string {
  if (isAsymmetric(value)) return value.description;
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (isAsymmetric(b)) return b[MATCHER](a);
  if (Object.is(a, b)) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return kb.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function matchesObject(actual: unknown, expected: unknown): boolean {
  if (isAsymmetric(expected)) return expected[MATCHER](actual);
  if (expected === null || typeof expected !== "object") return Object.is(actual, expected) || deepEqual(actual, expected);
  if (actual === null || typeof actual !== "object") return false;
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matchesObject(actual[i], e));
  return Object.entries(expected).every(([k, v]) => matchesObject((actual as Record<string, unknown>)[k], v));
}

function fail(message: string): never {
  throw new Error(message);
}

function matchers(actual: unknown, negate: boolean) {
  const check = (pass: boolean, message: string) => {
    if (pass === negate) fail(negate ? `not: ${message}` : message);
  };
  return {
    toBe: (expected: unknown) => check(Object.is(actual, expected), `expected ${show(actual)} to be ${show(expected)}`),
    toEqual: (expected: unknown) => check(deepEqual(actual, expected), `expected ${show(actual)} to equal ${show(expected)}`),
    toStrictEqual: (expected: unknown) => check(deepEqual(actual, expected), `expected ${show(actual)} to equal ${show(expected)}`),
    toMatchObject: (expected: unknown) => check(matchesObject(actual, expected), `expected ${show(actual)} to match ${show(expected)}`),
    toBeUndefined: () => check(actual === undefined, `expected ${show(actual)} to be undefined`),
    toBeDefined: () => check(actual !== undefined, "expected a defined value"),
    toBeNull: () => check(actual === null, `expected ${show(actual)} to be null`),
    toBeFalsy: () => check(!actual, `expected ${show(actual)} to be falsy`),
    toBeInstanceOf: (kind: new (...args: never[]) => unknown) => check(actual instanceof kind, `expected an instance of ${kind.name}`),
    toHaveProperty: (key: string) => check(actual !== null && typeof actual === "object" && key in actual, `expected property ${key}`),
    toContainEqual: (item: unknown) => check(Array.isArray(actual) && actual.some((x) => deepEqual(x, item)), `expected ${show(actual)} to contain ${show(item)}`),
    toBeTruthy: () => check(Boolean(actual), `expected ${show(actual)} to be truthy`),
    toBeGreaterThan: (n: number) => check((actual as number) > n, `expected ${show(actual)} > ${n}`),
    toBeGreaterThanOrEqual: (n: number) => check((actual as number) >= n, `expected ${show(actual)} >= ${n}`),
    toBeLessThan: (n: number) => check((actual as number) < n, `expected ${show(actual)} < ${n}`),
    toBeLessThanOrEqual: (n: number) => check((actual as number) <= n, `expected ${show(actual)} <= ${n}`),
    toHaveLength: (n: number) => check((actual as { length: number }).length === n, `expected length ${n}, got ${(actual as { length?: number })?.length}`),
    toContain: (item: unknown) => check((actual as { includes(x: unknown): boolean }).includes(item), `expected ${show(actual)} to contain ${show(item)}`),
    toMatch: (pattern: RegExp | string) => check(typeof actual === "string" && (typeof pattern === "string" ? actual.includes(pattern) : pattern.test(actual)), `expected ${show(actual)} to match ${String(pattern)}`),
    toThrow: (expected?: unknown) => {
      let thrown: unknown;
      let threw = false;
      try {
        (actual as () => unknown)();
      } catch (error) {
        threw = true;
        thrown = error;
      }
      check(threw && throwMatches(thrown, expected), `expected a throw matching ${show(expected)}, got ${threw ? show(String(thrown)) : "no throw"}`);
    },
  };
}

function throwMatches(thrown: unknown, expected: unknown): boolean {
  if (expected === undefined) return true;
  if (typeof expected === "string") return thrown instanceof Error && thrown.message.includes(expected);
  if (expected instanceof RegExp) return thrown instanceof Error && expected.test(thrown.message);
  return matchesObject(thrown, expected);
}

type Sync = ReturnType<typeof matchers>;
type Async = { [K in keyof Sync]: (...args: Parameters<Sync[K]>) => Promise<void> };

export function expect(actual: unknown): Sync & { not: Sync; rejects: Async; resolves: Async } {
  const rejects = new Proxy({} as Async, {
    get: (_, key: string) => async (...args: unknown[]) => {
      let error: unknown;
      let rejected = false;
      try {
        await actual;
      } catch (e) {
        rejected = true;
        error = e;
      }
      if (!rejected) fail("expected a rejection, but it resolved");
      if (key === "toThrow") {
        if (!throwMatches(error, args[0])) fail(`expected a rejection matching ${show(args[0])}, got ${String(error)}`);
        return;
      }
      (matchers(error, false) as unknown as Record<string, (...a: unknown[]) => void>)[key]?.(...args);
    },
  });
  const resolves = new Proxy({} as Async, {
    get: (_, key: string) => async (...args: unknown[]) => (matchers(await actual, false) as unknown as Record<string, (...a: unknown[]) => void>)[key]?.(...args),
  });
  return { ...matchers(actual, false), not: matchers(actual, true), rejects, resolves };
}

expect.objectContaining = (expected: Record<string, unknown>): Asymmetric => ({ [MATCHER]: (actual) => matchesObject(actual, expected), description: `objectContaining(${show(expected)})` });
expect.any = (kind: unknown): Asymmetric => ({ [MATCHER]: (actual) => actual !== undefined && actual !== null && (actual as object).constructor === kind, description: "any" });
