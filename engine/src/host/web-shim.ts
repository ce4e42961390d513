import type { HostPort, LogLevel } from "./host-port.ts";
import { ShimBlob, ShimFile, ShimFormData } from "./shims/blob.ts";
import { ShimAbortController, ShimAbortSignal, ShimDOMException, ShimEvent, ShimEventTarget, setAbortTimers, setListenerErrorReporter } from "./shims/events.ts";
import { ShimHeaders } from "./shims/headers.ts";
import { shimAtob, shimBtoa, ShimTextDecoder, ShimTextEncoder } from "./shims/text.ts";
import { ShimURL, ShimURLSearchParams } from "./shims/url.ts";

export { ShimHeaders, ShimURL, ShimURLSearchParams, ShimTextEncoder, ShimTextDecoder, ShimAbortController, ShimAbortSignal, ShimDOMException, ShimEvent, ShimEventTarget, ShimBlob, ShimFile, ShimFormData };

/** Every global the shim can provide, in install order. */
export const WEB_SHIM_NAMES = [
  "console",
  "queueMicrotask",
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "TextEncoder",
  "TextDecoder",
  "btoa",
  "atob",
  "URL",
  "URLSearchParams",
  "Headers",
  "DOMException",
  "Event",
  "EventTarget",
  "AbortController",
  "AbortSignal",
  "Blob",
  "File",
  "FormData",
  "Response",
] as const;
export type WebShimName = (typeof WEB_SHIM_NAMES)[number];

function describe(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function createConsole(host: HostPort): Record<string, (...args: unknown[]) => void> {
  const write = (level: LogLevel) => (...args: unknown[]) => {
    try {
      host.log.write(level, args.map(describe).join(" "));
    } catch {
      // Logging must never throw into the caller.
    }
  };
  return { log: write("info"), info: write("info"), debug: write("debug"), trace: write("debug"), warn: write("warn"), error: write("error") };
}

function createTimers(host: HostPort) {
  const intervals = new Map<number, number>();
  let nextInterval = 1;
  return {
    setTimeout: (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      if (typeof callback !== "function") throw new TypeError("setTimeout: callback must be a function");
      return host.timers.setTimeout(() => callback(...args), Number(ms) > 0 ? Number(ms) : 0);
    },
    clearTimeout: (id?: number) => {
      if (typeof id === "number") host.timers.clearTimeout(id);
    },
    setInterval: (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      if (typeof callback !== "function") throw new TypeError("setInterval: callback must be a function");
      const id = nextInterval++;
      const delay = Number(ms) > 0 ? Number(ms) : 0;
      const tick = () => {
        if (!intervals.has(id)) return;
        intervals.set(id, host.timers.setTimeout(tick, delay));
        callback(...args);
      };
      intervals.set(id, host.timers.setTimeout(tick, delay));
      return id;
    },
    clearInterval: (id?: number) => {
      if (typeof id !== "number") return;
      const timer = intervals.get(id);
      intervals.delete(id);
      if (timer !== undefined) host.timers.clearTimeout(timer);
    },
  };
}

/**
 * Installs, only where missing, the web APIs the AI SDKs and xstate expect
 * (a bare JSContext has none of them). Called by `StintEngine.start(host)`,
 * never at load. Returns the names it installed. `target` is the global
 * object (a stand-in in unit tests).
 */
export function installWebShims(host: HostPort, target: object = globalThis): WebShimName[] {
  const g = target as Record<string, unknown>;
  const report = (error: unknown) => {
    try {
      host.log.write("error", `uncaught in a shimmed callback: ${describe(error)}`);
    } catch {
      // Nothing left to tell.
    }
  };
  setListenerErrorReporter(report);
  setAbortTimers(host.timers);
  const timers = createTimers(host);
  const values: Record<WebShimName, () => unknown> = {
    console: () => createConsole(host),
    queueMicrotask: () => (callback: () => void) => {
      if (typeof callback !== "function") throw new TypeError("queueMicrotask: callback must be a function");
      void Promise.resolve().then(callback).catch(report);
    },
    setTimeout: () => timers.setTimeout,
    clearTimeout: () => timers.clearTimeout,
    setInterval: () => timers.setInterval,
    clearInterval: () => timers.clearInterval,
    TextEncoder: () => ShimTextEncoder,
    TextDecoder: () => ShimTextDecoder,
    btoa: () => shimBtoa,
    atob: () => shimAtob,
    URL: () => ShimURL,
    URLSearchParams: () => ShimURLSearchParams,
    Headers: () => ShimHeaders,
    DOMException: () => ShimDOMException,
    Event: () => ShimEvent,
    EventTarget: () => ShimEventTarget,
    AbortController: () => ShimAbortController,
    AbortSignal: () => ShimAbortSignal,
    Blob: () => ShimBlob,
    File: () => ShimFile,
    FormData: () => ShimFormData,
    // The SDKs' upload helpers only test `value instanceof Response`; responses
    // come from createHostFetch, so constructing one here is a mistake.
    Response: () =>
      class Response {
        constructor() {
          throw new TypeError("Response cannot be constructed in this host; use createHostFetch");
        }
      },
  };
  const installed: WebShimName[] = [];
  for (const name of WEB_SHIM_NAMES) {
    if (g[name] !== undefined && g[name] !== null) continue;
    Object.defineProperty(target, name, { value: values[name](), writable: true, configurable: true, enumerable: false });
    installed.push(name);
  }
  return installed;
}
