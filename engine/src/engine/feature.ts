import type { MethodTable } from "../bridge/index.ts";
import type { EngineContext } from "./context.ts";

/**
 * A feature plugs into the composition root: its bridge methods and its
 * lifecycle. Features are created in order and stopped in reverse order.
 */
export interface Feature {
  readonly name: string;
  readonly methods: MethodTable;
  /** Runs after every feature is created (recovery, timers). */
  start?(): Promise<void>;
  /** Graceful shutdown: stop capture, flush writes, checkpoint steps. */
  stop?(): Promise<void>;
}

export type FeatureFactory = (context: EngineContext) => Feature | Promise<Feature>;
