import { EngineError } from "../bridge/index.ts";
import type { TimersPort } from "../host/index.ts";
import { toStorageError } from "./keys.ts";
import type { KvAdapter, KvOp, PersistenceQueue, PersistenceQueueStats, Priority } from "./types.ts";

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/** A put whose bytes are produced when the commit starts (the list index: encoded once per group commit). */
export type LazyPut = { readonly type: "lazy"; readonly key: string; readonly produce: () => Uint8Array };
export type QueuedOp = KvOp | LazyPut;

const resolveOp = (op: QueuedOp): KvOp => (op.type === "lazy" ? { type: "put", key: op.key, value: op.produce() } : op);

interface Batch {
  readonly ops: Map<string, QueuedOp>;
  readonly waiters: Waiter[];
}

export interface QueueOptions {
  readonly adapter: KvAdapter;
  readonly timers: TimersPort;
  /** How long a low-priority write may wait for company. Default 1000 ms. */
  readonly lowPriorityDelayMs?: number;
}

/** A queued value as reads see it: `deleted` when the newest queued op is a delete. */
export type Peeked = { readonly value: Uint8Array } | { readonly deleted: true };

export interface InternalQueue extends PersistenceQueue {
  /** Queues ops that must commit together. `epoch` guards values computed before a failed commit. */
  enqueue(ops: readonly QueuedOp[], priority: Priority, epoch?: number): Promise<void>;
  peek(key: string): Peeked | undefined;
  /** Resolves once the queued write of `key` (if any) is durable. */
  flushKey(key: string): Promise<void>;
  /** Keys with a queued put or delete under `prefix`. */
  queuedKeys(prefix: string): Map<string, boolean>;
  /** Bumps on every failed commit: values read before then may include writes that were discarded. */
  readonly epoch: number;
  onFailure(listener: (keys: readonly string[]) => void): void;
}

/**
 * Group commit. Writes wait in `pending` while one commit is in flight; when
 * it lands, everything pending goes out as the next single atomic commit, so
 * a burst of appends costs one journal round, not one per item. Writes to one
 * key coalesce (the newest wins). Critical and normal writes start a commit
 * at once when none is running. Low ones (derived packs, deferred attachment
 * metadata) wait in a lane of their own for up to `lowPriorityDelayMs` and go
 * out only when no other write is waiting, so a large low write never rides in
 * (and slows) the commit a critical one is waiting for; a later write to the
 * same key takes its value out of the low lane. A failed commit rejects its
 * callers and everything queued on top of it (those values may have been
 * built on the failed ones).
 */
export function createPersistenceQueue(options: QueueOptions): InternalQueue {
  const { adapter, timers } = options;
  const lowDelay = options.lowPriorityDelayMs ?? 1000;
  let pending: Batch = { ops: new Map(), waiters: [] };
  /** Low-priority writes: none of their keys is in `pending`. */
  let low: Batch = { ops: new Map(), waiters: [] };
  /** The low lane may go out (its delay passed, or a flush asked for it). */
  let lowDue = false;
  let lastWasPending = false;
  let inflight: Batch | undefined;
  let timer: number | undefined;
  let epoch = 0;
  let lastFailure: EngineError | undefined;
  const failureListeners: ((keys: readonly string[]) => void)[] = [];
  const commitHooks: ((keys: readonly string[]) => readonly KvOp[])[] = [];
  const withHooks = (batch: Batch): KvOp[] => {
    const ops = [...batch.ops.values()].map(resolveOp);
    if (commitHooks.length === 0) return ops;
    const keys = [...batch.ops.keys()];
    const extra = new Map<string, KvOp>();
    for (const hook of commitHooks) {
      try {
        for (const op of hook(keys)) extra.set(op.key, op);
      } catch {
        // A derived record must never stop the records it derives from.
      }
    }
    return extra.size === 0 ? ops : [...ops.filter((op) => !extra.has(op.key)), ...extra.values()];
  };
  const stats = { commits: 0, opsCommitted: 0, coalesced: 0, failures: 0 };

  const schedule = (priority: Priority) => {
    if (priority === "low" && !lowDue) {
      timer ??= timers.setTimeout(() => {
        timer = undefined;
        lowDue = true;
        void run();
      }, lowDelay);
      return;
    }
    if (inflight !== undefined) return; // the running commit picks pending up when it lands
    void Promise.resolve().then(run);
  };
  const ready = () => pending.waiters.length > 0 || (lowDue && low.waiters.length > 0);

  async function run(): Promise<void> {
    if (inflight !== undefined || !ready()) return;
    let batch: Batch;
    // Once due, the low lane takes every other turn: a steady stream of other writes cannot starve it.
    const lowTurn = lowDue && low.waiters.length > 0 && lastWasPending;
    lastWasPending = pending.waiters.length > 0 && !lowTurn;
    if (lastWasPending) {
      batch = pending;
      pending = { ops: new Map(), waiters: [] };
    } else {
      batch = low;
      low = { ops: new Map(), waiters: [] };
      lowDue = false;
      if (timer !== undefined) {
        timers.clearTimeout(timer);
        timer = undefined;
      }
    }
    if (batch.ops.size === 0) {
      // Every value it held was superseded by a later write: nothing of its own to commit.
      for (const waiter of batch.waiters) waiter.resolve();
      if (ready()) void run();
      return;
    }
    inflight = batch;
    try {
      await adapter.commit(withHooks(batch));
      stats.commits++;
      stats.opsCommitted += batch.ops.size;
      inflight = undefined;
      for (const waiter of batch.waiters) waiter.resolve();
    } catch (cause) {
      const error = toStorageError(cause, "committing");
      lastFailure = error;
      stats.failures++;
      epoch++;
      const dropped = [pending, low];
      pending = { ops: new Map(), waiters: [] };
      low = { ops: new Map(), waiters: [] };
      lowDue = false;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      inflight = undefined;
      const keys = [...batch.ops.keys(), ...dropped.flatMap((b) => [...b.ops.keys()])];
      for (const waiter of [...batch.waiters, ...dropped.flatMap((b) => b.waiters)]) waiter.reject(error);
      for (const listener of failureListeners) listener(keys);
    }
    if (ready()) void run();
  }

  return {
    get epoch() {
      return epoch;
    },
    enqueue(ops, priority, basedOn) {
      if (basedOn !== undefined && basedOn !== epoch) {
        // Whatever the caller cached while computing these values is stale too.
        for (const listener of failureListeners) listener(ops.map((op) => op.key));
        const code = lastFailure?.code ?? "storage.io";
        return Promise.reject(new EngineError(code, `an earlier write failed (${lastFailure?.message ?? "unknown"}); retry`, { retryable: true, cause: lastFailure }));
      }
      return new Promise<void>((resolve, reject) => {
        // A low group touching a key already waiting in `pending` joins it there: one key, one lane.
        const lane = priority === "low" && !ops.some((op) => pending.ops.has(op.key)) ? low : pending;
        for (const op of ops) {
          if (lane.ops.delete(op.key) || (lane === pending && low.ops.delete(op.key))) stats.coalesced++;
          lane.ops.set(op.key, op);
        }
        lane.waiters.push({ resolve, reject });
        schedule(lane === low ? "low" : priority === "low" ? "normal" : priority);
      });
    },
    peek(key) {
      const op = pending.ops.get(key) ?? low.ops.get(key) ?? inflight?.ops.get(key);
      if (op === undefined) return undefined;
      if (op.type === "delete") return { deleted: true };
      return { value: op.type === "lazy" ? op.produce() : op.value };
    },
    flushKey(key) {
      if (low.ops.has(key)) {
        lowDue = true;
        schedule("critical");
      }
      const batch = pending.ops.has(key) ? pending : low.ops.has(key) ? low : inflight?.ops.has(key) === true ? inflight : undefined;
      if (batch === undefined) return Promise.resolve();
      return new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    },
    queuedKeys(prefix) {
      const out = new Map<string, boolean>();
      for (const batch of [inflight, low, pending]) {
        if (batch === undefined) continue;
        for (const [key, op] of batch.ops) if (key.startsWith(prefix)) out.set(key, op.type !== "delete");
      }
      return out;
    },
    flush() {
      if (pending.waiters.length === 0 && low.waiters.length === 0 && inflight === undefined) return Promise.resolve();
      if (pending.waiters.length === 0 && low.waiters.length === 0) {
        // Wait for the in-flight commit: join it with an empty marker batch.
        return new Promise<void>((resolve, reject) => {
          inflight!.waiters.push({ resolve, reject });
        });
      }
      // The low lane goes last: a waiter there resolves once everything queued now is durable.
      if (low.waiters.length > 0) lowDue = true;
      const last = low.waiters.length > 0 ? low : pending;
      const done = new Promise<void>((resolve, reject) => last.waiters.push({ resolve, reject }));
      schedule("critical");
      return done;
    },
    stats(): PersistenceQueueStats {
      return { pending: pending.ops.size + low.ops.size, ...stats };
    },
    onFailure(listener) {
      failureListeners.push(listener);
    },
    onBeforeCommit(hook) {
      commitHooks.push(hook);
    },
  };
}
