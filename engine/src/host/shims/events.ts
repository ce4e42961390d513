import type { TimersPort } from "../host-port.ts";

/** `DOMException` for contexts without one; the SDKs recognise aborts by `name === "AbortError"`. */
export class ShimDOMException extends Error {
  readonly code: number;
  constructor(message = "", name = "Error") {
    super(message);
    Object.defineProperty(this, "name", { value: name, configurable: true, writable: true });
    this.code = name === "AbortError" ? 20 : name === "TimeoutError" ? 23 : 0;
  }
}

/** Minimal `Event`. */
export class ShimEvent {
  readonly type: string;
  readonly bubbles: boolean;
  readonly cancelable: boolean;
  readonly timeStamp = 0;
  defaultPrevented = false;
  target: unknown = null;
  currentTarget: unknown = null;
  constructor(type: string, init: { bubbles?: boolean; cancelable?: boolean } = {}) {
    this.type = String(type);
    this.bubbles = init.bubbles === true;
    this.cancelable = init.cancelable === true;
  }
  preventDefault(): void {
    if (this.cancelable) this.defaultPrevented = true;
  }
  stopPropagation(): void {}
  stopImmediatePropagation(): void {}
}

type Listener = ((event: ShimEvent) => void) | { handleEvent(event: ShimEvent): void };
interface Registration {
  listener: Listener;
  once: boolean;
}

/** Minimal `EventTarget`: add/remove listeners (with `once` and `signal`), dispatch in order. */
export class ShimEventTarget {
  #listeners = new Map<string, Registration[]>();

  addEventListener(type: string, listener: Listener | null, options?: boolean | { once?: boolean; signal?: ShimAbortSignal }): void {
    if (listener === null || listener === undefined) return;
    const opts = typeof options === "object" && options !== null ? options : {};
    if (opts.signal?.aborted) return;
    const list = this.#listeners.get(type) ?? [];
    if (list.some((r) => r.listener === listener)) return;
    list.push({ listener, once: opts.once === true });
    this.#listeners.set(type, list);
    opts.signal?.addEventListener("abort", () => this.removeEventListener(type, listener), { once: true });
  }

  removeEventListener(type: string, listener: Listener | null): void {
    const list = this.#listeners.get(type);
    if (list) this.#listeners.set(type, list.filter((r) => r.listener !== listener));
  }

  dispatchEvent(event: ShimEvent): boolean {
    event.target = this;
    event.currentTarget = this;
    for (const registration of [...(this.#listeners.get(event.type) ?? [])]) {
      if (registration.once) this.removeEventListener(event.type, registration.listener);
      try {
        if (typeof registration.listener === "function") registration.listener.call(this, event);
        else registration.listener.handleEvent(event);
      } catch (error) {
        reportListenerError(error);
      }
    }
    const handler = (this as unknown as Record<string, unknown>)[`on${event.type}`];
    if (typeof handler === "function") {
      try {
        handler.call(this, event);
      } catch (error) {
        reportListenerError(error);
      }
    }
    event.currentTarget = null;
    return !event.defaultPrevented;
  }
}

let reportListenerError: (error: unknown) => void = () => undefined;

/** Where errors thrown by event listeners go (they must not break the dispatcher). */
export function setListenerErrorReporter(report: (error: unknown) => void): void {
  reportListenerError = report;
}

let timers: TimersPort | undefined;

/** Binds `AbortSignal.timeout` to the host's timers. */
export function setAbortTimers(port: TimersPort): void {
  timers = port;
}

const CREATE = Symbol("create");

/** `AbortSignal`, created only through `AbortController` and its static helpers. */
export class ShimAbortSignal extends ShimEventTarget {
  #aborted = false;
  #reason: unknown = undefined;
  onabort: ((event: ShimEvent) => void) | null = null;

  constructor(token?: symbol) {
    super();
    if (token !== CREATE) throw new TypeError("Illegal constructor");
  }

  static [CREATE](): ShimAbortSignal {
    return new ShimAbortSignal(CREATE);
  }

  get aborted(): boolean {
    return this.#aborted;
  }
  get reason(): unknown {
    return this.#reason;
  }
  throwIfAborted(): void {
    if (this.#aborted) throw this.#reason;
  }

  /** @internal */
  _abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason === undefined ? new ShimDOMException("This operation was aborted", "AbortError") : reason;
    this.dispatchEvent(new ShimEvent("abort"));
  }

  static abort(reason?: unknown): ShimAbortSignal {
    const signal = ShimAbortSignal[CREATE]();
    signal._abort(reason);
    return signal;
  }

  static timeout(ms: number): ShimAbortSignal {
    const signal = ShimAbortSignal[CREATE]();
    if (timers === undefined) throw new TypeError("AbortSignal.timeout needs the host's timers");
    timers.setTimeout(() => signal._abort(new ShimDOMException("The operation timed out.", "TimeoutError")), ms);
    return signal;
  }

  static any(signals: Iterable<ShimAbortSignal>): ShimAbortSignal {
    const signal = ShimAbortSignal[CREATE]();
    for (const source of signals) {
      if (source.aborted) {
        signal._abort(source.reason);
        return signal;
      }
    }
    for (const source of signals) source.addEventListener("abort", () => signal._abort(source.reason), { once: true });
    return signal;
  }
}

/** `AbortController`. */
export class ShimAbortController {
  readonly signal = ShimAbortSignal[CREATE]();
  abort(reason?: unknown): void {
    this.signal._abort(reason);
  }
}
