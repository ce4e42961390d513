import type { ClockPort, TimerId, TimersPort } from "./host-port.ts";

/** A clock and timers that move only when told: `advance(ms)` fires due timers in deadline order. */
export interface SimulatedTime {
  readonly clock: ClockPort;
  readonly timers: TimersPort;
  /** Moves time forward, firing every timer that falls due (including ones scheduled meanwhile). */
  advance(ms: number): Promise<void>;
  /** Advances to each next deadline until no timer is pending or `limitMs` has passed. */
  runAll(limitMs?: number): Promise<void>;
  pending(): number;
}

/** Flushes promise jobs queued by timer callbacks. */
async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

export function createSimulatedTime(startEpochMs = 1_767_225_600_000): SimulatedTime {
  let elapsed = 0;
  let nextId = 1;
  let sequence = 0;
  const timers = new Map<TimerId, { at: number; seq: number; callback: () => void }>();

  const nextDue = (limit: number) => {
    let best: [TimerId, { at: number; seq: number; callback: () => void }] | undefined;
    for (const entry of timers) {
      if (entry[1].at > limit) continue;
      if (best === undefined || entry[1].at < best[1].at || (entry[1].at === best[1].at && entry[1].seq < best[1].seq)) best = entry;
    }
    return best;
  };

  const advanceTo = async (target: number) => {
    for (;;) {
      await drainMicrotasks();
      const due = nextDue(target);
      if (due === undefined) break;
      timers.delete(due[0]);
      elapsed = Math.max(elapsed, due[1].at);
      due[1].callback();
    }
    elapsed = Math.max(elapsed, target);
    await drainMicrotasks();
  };

  return {
    clock: { now: () => startEpochMs + elapsed, elapsed: () => elapsed },
    timers: {
      setTimeout(callback, ms) {
        const id = nextId++;
        timers.set(id, { at: elapsed + Math.max(0, ms), seq: sequence++, callback });
        return id;
      },
      clearTimeout(id) {
        timers.delete(id);
      },
    },
    advance: (ms) => advanceTo(elapsed + ms),
    async runAll(limitMs = 365 * 24 * 3600_000) {
      const end = elapsed + limitMs;
      for (;;) {
        await drainMicrotasks();
        const due = nextDue(end);
        if (due === undefined) return;
        await advanceTo(due[1].at);
      }
    },
    pending: () => timers.size,
  };
}
