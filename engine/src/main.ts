/**
 * The bundle entry: installs exactly one global, `StintEngine`.
 * Nothing here runs a platform API at load; `start(host)` does the work.
 */
import { type Caller, EngineError, toErrorData, type Reply } from "./bridge/index.ts";
import { createEngine, type Engine, type EventListener, ENGINE_VERSION } from "./engine/index.ts";
import { PRODUCT_FEATURES } from "./product/index.ts";
import { installWebShims, type HostPort } from "./host/index.ts";

let engine: Engine | undefined;
let starting: Promise<Engine> | undefined;
// Listeners live here, not in the engine, so that those added before start()
// hear the events features send while they start, and survive a restart.
const listeners = new Set<EventListener>();
const fanOut: EventListener = (event) => {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch {
      // One failing listener must not starve the others.
    }
  }
};

const StintEngine = {
  version: ENGINE_VERSION,
  /** Starts the engine over a host; resolves when recovery is done. Calling it twice returns the same engine. */
  async start(host: HostPort): Promise<{ version: string }> {
    if (starting === undefined) {
      installWebShims(host);
      starting = createEngine(host, PRODUCT_FEATURES, { onEvent: fanOut }).then((created) => {
        engine = created;
        return created;
      });
      starting.catch(() => {
        starting = undefined;
      });
    }
    await starting;
    return { version: ENGINE_VERSION };
  },
  /**
   * Handles one bridge message (JSON string or object); resolves with the reply, or undefined for a notification.
   * The shell names the caller: `"panel"` for what the review panel relays, `"recorder"` for the recorder's
   * notifications, `"command"` for its own calls; each reaches only its own methods.
   */
  async handle(message: unknown, caller?: Caller): Promise<Reply | undefined> {
    if (engine === undefined) {
      const id = message !== null && typeof message === "object" ? (message as { id?: unknown }).id : undefined;
      return { v: 1, id: typeof id === "string" || typeof id === "number" ? id : null, error: toErrorData(new EngineError("engine.not_started", "StintEngine.start(host) has not completed", { retryable: true })) };
    }
    return engine.handle(message, caller === "panel" || caller === "recorder" || caller === "command" ? caller : undefined);
  },
  /** Subscribes to engine events; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
  /** Graceful shutdown: features stop in reverse order. */
  async stop(): Promise<void> {
    const running = engine;
    engine = undefined;
    starting = undefined;
    await running?.stop();
  },
};

(globalThis as { StintEngine?: typeof StintEngine }).StintEngine = StintEngine;
