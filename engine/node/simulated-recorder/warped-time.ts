/**
 * Accelerated virtual time for the Node host, so `stint record --speed` can
 * record an hour in seconds with every component (recorder, engine timers,
 * storage's group commit) on one consistent clock.
 * - `speed: N`: virtual time runs N× real time.
 * - `speed: "max"`: time jumps to the next deadline as soon as the process is
 *   idle; a short deadline (a group commit) may fire while capture work is in
 *   flight, a long jump (the next screenshot, a stall watchdog) waits for it.
 */
import type { ClockPort, TimerId, TimersPort } from "../../src/host/index.ts";

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
    const handles = new Map<TimerId, NodeJS.Timeout>();
    let nextId = 1;
    return {
      clock: { now: () => Math.round(startWall + elapsed()), elapsed },
      timers: {
        setTimeout(callback, ms) {
          const id = nextId++;
          const due = elapsed() + Math.max(0, ms);
          // Node may fire a timer a fraction of a millisecond before performance.now() reaches it,
          // which at 1000× is a virtual second early: re-arm until the virtual deadline has passed,
          // so a callback never sees a clock before its own deadline.
          const arm = () => {
            handles.set(
              id,
              setTimeout(() => {
                if (elapsed() < due) return arm();
                handles.delete(id);
                callback();
              }, Math.max(1, (due - elapsed()) / speed)),
            );
          };
          arm();
          return id;
        },
        clearTimeout(id) {
          const handle = handles.get(id);
          if (handle !== undefined) clearTimeout(handle);
          handles.delete(id);
        },
      },
      dispose() {
        for (const handle of handles.values()) clearTimeout(handle);
        handles.clear();
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
