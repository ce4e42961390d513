/**
 * Accelerated virtual time for the Node host, so `stint record --speed` can
 * record an hour in seconds with every component (recorder, engine timers,
 * storage's group commit) on one consistent clock.
 * - `speed: N`: virtual time runs N× real time.
 * - `speed: "max"`: time jumps to the next deadline as soon as the process is
 *   idle; a short deadline (a group commit) may fire while capture work is in
 *   flight, a long jump (the next screenshot, a stall watchdog) waits for it.
 */
import { createOrderedTimers, type ClockPort, type TimerId, type TimersPort } from "../../src/host/index.ts";

export interface WarpedTime {
  readonly clock: ClockPort;
  readonly timers: TimersPort;
  /** Stops the pump (max speed) and cancels every timer. */
  dispose(): void;
}

export interface WarpedTimeOptions {
  readonly speed: number | "max";
  /** True while work that a long jump must wait for is in flight (the recorder's queue). */
  readonly busy?: () => boolean;
  /** Jumps at most this far (virtual ms) while busy. Default 50. */
  readonly busyJumpMs?: number;
}

export function createWarpedTime(options: WarpedTimeOptions): WarpedTime {
  const startWall = Date.now();
  const startPerf = performance.now();
  if (options.speed !== "max") {
    const speed = options.speed;
    if (!(speed > 0)) throw new RangeError("speed must be positive");
    const elapsed = () => (performance.now() - startPerf) * speed;
    // The ordered queue keeps deadline order (Node reorders timers of different durations under load)
    // and never runs a timer before its virtual deadline (Node may fire a fraction of a millisecond
    // early, which at 1000× is a virtual second).
    const armed = new Set<NodeJS.Timeout>();
    const ids = new Set<TimerId>();
    const queue = createOrderedTimers({
      set(callback, ms) {
        const handle = setTimeout(() => {
          armed.delete(handle);
          callback();
        }, Math.max(1, ms / speed));
        armed.add(handle);
        return handle;
      },
      clear(handle) {
        clearTimeout(handle as NodeJS.Timeout);
        armed.delete(handle as NodeJS.Timeout);
      },
      now: elapsed,
    });
    return {
      clock: { now: () => Math.round(startWall + elapsed()), elapsed },
      timers: {
        setTimeout(callback, ms) {
          const id: TimerId = queue.setTimeout(() => {
            ids.delete(id);
            callback();
          }, ms);
          ids.add(id);
          return id;
        },
        clearTimeout(id) {
          ids.delete(id);
          queue.clearTimeout(id);
        },
      },
      dispose() {
        for (const id of ids) queue.clearTimeout(id);
        ids.clear();
        for (const handle of armed) clearTimeout(handle);
        armed.clear();
      },
    };
  }

  let virtual = 0;
  let nextId = 1;
  let sequence = 0;
  const pending = new Map<TimerId, { at: number; seq: number; callback: () => void }>();
  let pumping = false;
  let disposed = false;
  const busyJump = options.busyJumpMs ?? 50;

  const next = () => {
    let best: [TimerId, { at: number; seq: number; callback: () => void }] | undefined;
    for (const entry of pending) if (best === undefined || entry[1].at < best[1].at || (entry[1].at === best[1].at && entry[1].seq < best[1].seq)) best = entry;
    return best;
  };
  const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (!disposed) {
        await yieldToIo();
        const due = next();
        if (due === undefined) break;
        if (due[1].at - virtual > busyJump && options.busy?.() === true) {
          // Real I/O is in flight: let it finish before time jumps ahead of it.
          await new Promise<void>((resolve) => setTimeout(resolve, 1));
          continue;
        }
        pending.delete(due[0]);
        virtual = Math.max(virtual, due[1].at);
        due[1].callback();
      }
    } finally {
      pumping = false;
    }
  };

  return {
    clock: { now: () => Math.round(startWall + virtual), elapsed: () => virtual },
    timers: {
      setTimeout(callback, ms) {
        const id = nextId++;
        pending.set(id, { at: virtual + Math.max(0, ms), seq: sequence++, callback });
        void pump();
        return id;
      },
      clearTimeout(id) {
        pending.delete(id);
      },
    },
    dispose() {
      disposed = true;
      pending.clear();
    },
  };
}
