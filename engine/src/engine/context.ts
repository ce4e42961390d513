import type { EventMessage } from "../bridge/index.ts";
import type { HostPort } from "../host/index.ts";

/** What every feature receives from the composition root. */
export interface EngineContext {
  readonly host: HostPort;
  /** Sends an engine event to the host and every subscriber. */
  emit(method: string, params: unknown): void;
  /** Structured logs; `data` is redacted of secrets before it reaches the host. */
  readonly logger: Logger;
  /**
   * Whether this engine runs background work (the enrichment queue). True for
   * long-lived hosts (the Mac app, `stint serve`, `stint enrich`); false for a
   * short command such as `stint list`, which must not start jobs as a side effect.
   */
  readonly background: boolean;
  /** Features created so far, by name (later features may use earlier ones). */
  readonly features: ReadonlyMap<string, unknown>;
}

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export type EventListener = (event: EventMessage) => void;
