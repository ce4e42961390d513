import type { HostPort } from "../host/index.ts";
import type { Store } from "../storage/index.ts";
import type { EnrichmentOptions, JobPriority, JobRecord, Stage } from "./types.ts";

/** What a running job may do besides its work. */
export interface JobControl {
  readonly signal: AbortSignal;
  /** True once shutdown began: finish the current step, then stop. */
  stopping(): boolean;
  progress(stage: Stage, progress: number, patch?: Partial<Pick<JobRecord, "cost" | "redactions" | "mediaReady">>): Promise<void>;
  /** The step that is about to throw, so retries can be counted per step. */
  stepFailed(stepId: string): void;
  /** True once the user replaced this job's options: stop at the next step boundary. */
  replacing(): boolean;
  /** Looks for a replacement the user asked for from another process; true when there is one (stop, then). */
  checkReplacement(): Promise<boolean>;
  /** Called on every lease renewal (the runner renews its session lock with it). */
  onRenew(listener: (leaseExpiresAt: number) => Promise<void>): void;
}

/** Thrown by a worker that stopped because of shutdown; the job goes back to waiting. */
export class ShutdownInterrupt extends Error {
  constructor() {
    super("engine shutting down");
    this.name = "ShutdownInterrupt";
  }
}

export type JobWorker = (job: JobRecord, control: JobControl) => Promise<void>;

export interface QueueOptions {
  readonly store: Store;
  readonly host: Pick<HostPort, "clock" | "timers" | "crypto">;
  readonly worker: JobWorker;
  readonly emit: (method: string, params: unknown) => void;
  readonly maxActive?: number;
  readonly leaseMs?: number;
  /** Observes starts (history checker). */
  readonly onStart?: (job: JobRecord) => void;
  /**
   * Runs once a job's completion is durable. Work the job's resume depends on (its
   * checkpoints) may only go then: a crash before it must find them to replay from.
   */
  readonly afterCompleted?: (job: JobRecord) => Promise<void>;
  /** Applied to every error message before it is stored or emitted (redaction of secrets). */
  readonly scrub?: (text: string) => string;
}

export interface RunningEntry {
  controller: AbortController;
  done: Promise<void>;
  renewers: ((at: number) => Promise<void>)[];
  failedStep?: string;
  /** Set when the user replaced the job's options while it ran. */
  replacement?: Partial<Pick<JobRecord, "options" | "priority">>;
}

export interface EnqueueInput {
  readonly sessionId: string;
  readonly priority?: JobPriority;
  readonly options?: EnrichmentOptions;
  readonly mediaReady?: boolean;
}

export interface QueueStatus {
  readonly counts: Record<JobRecord["status"], number>;
  readonly active: number;
  readonly maxActive: number;
}
