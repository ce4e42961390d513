import { BridgeError } from "../bridge/client.ts";

/** What a view shows while data loads: never a spinner without an end. */
export type AsyncState<T> =
  | { readonly kind: "loading"; readonly since: number }
  | { readonly kind: "ready"; readonly value: T }
  | { readonly kind: "error"; readonly error: ErrorView };

/** An error as the panel explains it: what failed, and whether trying again can help. */
export interface ErrorView {
  readonly what: string;
  readonly message: string;
  readonly code: string;
  readonly retryable: boolean;
}

export function toErrorView(what: string, error: unknown): ErrorView {
  if (error instanceof BridgeError) return { what, message: error.message, code: error.code, retryable: error.retryable || error.code === "engine.timeout" };
  return { what, message: error instanceof Error ? error.message : String(error), code: "client.error", retryable: true };
}

/** Collects cleanups so a model can dispose everything it started. */
export function createDisposer(): { add(cleanup: () => void): void; dispose(): void } {
  const cleanups: (() => void)[] = [];
  return {
    add: (cleanup) => void cleanups.push(cleanup),
    dispose() {
      while (cleanups.length > 0) {
        try {
          cleanups.pop()?.();
        } catch (error) {
          console.error("cleanup failed", error);
        }
      }
    },
  };
}
