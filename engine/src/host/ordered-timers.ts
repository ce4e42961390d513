import type { TimerId, TimersPort } from "./host-port.ts";

/** The platform's one-shot timer, as the ordered queue needs it. */
export interface PlatformTimer {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  /** Monotonic milliseconds. */
  now(): number;
}

interface Entry {
  readonly id: TimerId;
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/**
 * Timers that keep the host contract's order (deadline, then call order) on
 * platforms that do not: Node, for one, runs a 10 ms timer before a 0 ms one
 * when its loop was blocked past both. One platform timer is armed for the
 * earliest deadline; when it fires, every due callback runs in order.
 */
export function createOrderedTimers(platform: PlatformTimer): TimersPort & { pending(): number } {
  const entries = new Map<TimerId, Entry>();
  let nextId = 1;
  let seq = 0;
  let armed: { handle: unknown; at: number } | undefined;

  const earliest = (): Entry | undefined => {
    let best: Entry | undefined;
    for (const entry of entries.values()) if (best === undefined || entry.at < best.at || (entry.at === best.at && entry.seq < best.seq)) best = entry;
    return best;
  };

  const arm = () => {
    const next = earliest();
    if (next === undefined) {
      if (armed !== undefined) platform.clear(armed.handle);
      armed = undefined;
      return;
    }
    if (armed !== undefined && armed.at <= next.at) return;
    if (armed !== undefined) platform.clear(armed.handle);
    armed = { at: next.at, handle: platform.set(fire, Math.max(0, next.at - platform.now())) };
  };

  function fire() {
    armed = undefined;
    const now = platform.now();
    // Run due timers one at a time, re-reading the queue: a callback may add or clear timers.
    for (let due = earliest(); due !== undefined && due.at <= now; due = earliest()) {
      entries.delete(due.id);
      try {
        due.callback();
      } catch (error) {
        // A throwing callback must not stop the others; surface it asynchronously, as the platform would.
        void Promise.reject(error);
      }
    }
    arm();
  }

  return {
    setTimeout(callback, ms) {
      const id = nextId++;
      entries.set(id, { id, at: platform.now() + Math.max(0, Number.isFinite(ms) ? ms : 0), seq: seq++, callback });
      arm();
      return id;
    },
    clearTimeout(id) {
      if (entries.delete(id)) arm();
    },
    pending: () => entries.size,
  };
}
