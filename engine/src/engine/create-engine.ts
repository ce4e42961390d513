import * as z from "zod";
import { type Caller, createRouter, defineMethod, EngineError, type EventMessage, type Reply, type Router } from "../bridge/index.ts";
import { detectCapabilities, type HostPort } from "../host/index.ts";
import type { EngineContext, EventListener, Logger } from "./context.ts";
import type { Feature, FeatureFactory } from "./feature.ts";
import { redactData, redactText } from "./redact.ts";
import { ENGINE_VERSION, PROTOCOL_VERSION } from "./version.ts";

/** A running engine: the bridge's three verbs plus shutdown. */
export interface Engine {
  /** Handles one message; a transport names its {@link Caller} so that it reaches only that caller's methods. */
  handle(message: unknown, caller?: Caller): Promise<Reply | undefined>;
  subscribe(listener: EventListener): () => void;
  stop(): Promise<void>;
  readonly router: Router;
  readonly context: EngineContext;
}

function createLogger(host: HostPort): Logger {
  const write = (level: "debug" | "info" | "warn" | "error") => (message: string, data?: Record<string, unknown>) => {
    try {
      host.log.write(level, redactText(message), data === undefined ? undefined : (redactData(data) as Record<string, unknown>));
    } catch {
      // A failing logger must never take the engine down.
    }
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/** Creates the engine over a host, with the given features in dependency order. */
export interface CreateEngineOptions {
  /** Hears every event from the first one on, including those features send while they start. */
  readonly onEvent?: EventListener;
  /** Run background work (default true); see {@link EngineContext.background}. */
  readonly background?: boolean;
}

export async function createEngine(host: HostPort, factories: readonly FeatureFactory[], options: CreateEngineOptions = {}): Promise<Engine> {
  const listeners = new Set<EventListener>();
  if (options.onEvent !== undefined) listeners.add(options.onEvent);
  const features = new Map<string, unknown>();
  const logger = createLogger(host);
  const context: EngineContext = {
    host,
    logger,
    features,
    background: options.background ?? true,
    emit(method, params) {
      const event: EventMessage = { v: PROTOCOL_VERSION, method, params };
      try {
        host.emit(event);
      } catch (error) {
        logger.warn("host.emit failed", { method, error });
      }
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          logger.warn("event listener failed", { method, error });
        }
      }
    },
  };
  const router = createRouter({
    onNotificationError: (method, error) => logger.warn("notification rejected", { method, error }),
  });
  router.register({
    "engine.version": defineMethod(z.object({}).strict(), () => ({ version: ENGINE_VERSION, protocol: PROTOCOL_VERSION })),
    "engine.capabilities": defineMethod(z.object({}).strict(), () => ({
      host: { name: host.info.name, version: host.info.version, platform: host.info.platform, nativeHash: host.info.nativeHash },
      optional: detectCapabilities(host),
      methods: router.methods(),
    })),
  });

  const started: Feature[] = [];
  for (const factory of factories) {
    const feature = await factory(context);
    router.register(feature.methods);
    features.set(feature.name, feature);
    started.push(feature);
  }
  for (const feature of started) await feature.start?.();

  let stopping: Promise<void> | undefined;
  return {
    router,
    context,
    handle: (message, caller) => router.handle(message, caller),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop() {
      stopping ??= (async () => {
        for (const feature of [...started].reverse()) {
          try {
            await feature.stop?.();
          } catch (error) {
            logger.error("feature stop failed", { feature: feature.name, error });
          }
        }
        listeners.clear();
      })();
      return stopping;
    },
  };
}

/** For code paths that need a started engine. */
export function notStarted(): EngineError {
  return new EngineError("engine.not_started", "StintEngine.start(host) has not completed");
}
