import type { HostError, HostPort, HttpResponse } from "./host-port.ts";
import { ShimBlob } from "./shims/blob.ts";
import { ShimDOMException } from "./shims/events.ts";
import { ShimHeaders } from "./shims/headers.ts";
import { utf8Decode, utf8Encode } from "./text-codec.ts";

/** Options for {@link createHostFetch}. */
export interface HostFetchOptions {
  /** Passed to `host.http` as `timeoutMs` (the SDKs keep their own timeouts through the abort signal). */
  readonly timeoutMs?: number;
  /** Size of the chunks the response body stream yields (default 16 KiB). */
  readonly chunkSize?: number;
}

type HeadersLike = { forEach(callback: (value: string, name: string) => void): void };
type HeadersCtor = new (init?: unknown) => HeadersLike & { get(name: string): string | null; has(name: string): boolean };

function headersCtor(): HeadersCtor {
  const native = (globalThis as { Headers?: unknown }).Headers;
  return (typeof native === "function" ? native : ShimHeaders) as HeadersCtor;
}

function abortError(reason: unknown): unknown {
  if (reason instanceof Error || (typeof reason === "object" && reason !== null)) return reason;
  const Native = (globalThis as { DOMException?: new (message: string, name: string) => Error }).DOMException;
  return Native !== undefined ? new Native("This operation was aborted", "AbortError") : new ShimDOMException("This operation was aborted", "AbortError");
}

/** Flattens any headers shape (Headers, pairs, record) into lower-cased names. */
export function headersToRecord(init: unknown, into: Record<string, string> = {}): Record<string, string> {
  if (init === undefined || init === null) return into;
  const add = (name: string, value: string) => {
    const key = String(name).toLowerCase();
    into[key] = into[key] !== undefined && key !== "set-cookie" ? `${into[key]}, ${value}` : String(value);
  };
  if (typeof (init as HeadersLike).forEach === "function" && !Array.isArray(init)) {
    (init as HeadersLike).forEach((value, name) => add(name, value));
  } else if (Array.isArray(init) || (typeof init === "object" && Symbol.iterator in (init as object))) {
    for (const pair of init as Iterable<[string, string]>) add(pair[0], pair[1]);
  } else if (typeof init === "object") {
    for (const [name, value] of Object.entries(init as Record<string, unknown>)) if (value !== undefined && value !== null) add(name, String(value));
  }
  return into;
}

async function collect(iterable: AsyncIterable<unknown> | Iterable<unknown>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of iterable as AsyncIterable<unknown>) chunks.push(typeof chunk === "string" ? utf8Encode(chunk) : toBytes(chunk));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError("fetch: unsupported body chunk");
}

/** Turns a fetch body into bytes and the content type it implies. */
async function encodeBody(body: unknown): Promise<{ bytes?: Uint8Array; type?: string }> {
  if (body === undefined || body === null) return {};
  if (typeof body === "string") return { bytes: utf8Encode(body), type: "text/plain;charset=UTF-8" };
  if (body instanceof Uint8Array || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return { bytes: toBytes(body).slice() };
  const tag = Object.prototype.toString.call(body);
  if (tag === "[object URLSearchParams]") return { bytes: utf8Encode(String(body)), type: "application/x-www-form-urlencoded;charset=UTF-8" };
  if (body instanceof ShimBlob || tag === "[object Blob]" || tag === "[object File]") {
    const blob = body as { arrayBuffer(): Promise<ArrayBuffer>; type: string };
    return { bytes: new Uint8Array(await blob.arrayBuffer()), type: blob.type || undefined };
  }
  if (typeof (body as { getReader?: unknown }).getReader === "function" && !(Symbol.asyncIterator in (body as object))) {
    const reader = (body as { getReader(): { read(): Promise<{ done: boolean; value?: unknown }> } }).getReader();
    const chunks: unknown[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    return { bytes: await collect(chunks) };
  }
  if (typeof body === "object" && (Symbol.asyncIterator in (body as object) || Symbol.iterator in (body as object))) return { bytes: await collect(body as AsyncIterable<unknown>) };
  throw new TypeError(`fetch: unsupported body type ${tag}`);
}

/** A one-shot byte stream: async-iterable (what the SDKs read) with a `getReader()` for web-style callers. */
export class HostBodyStream {
  #bytes: Uint8Array | undefined;
  #chunkSize: number;
  #offset = 0;
  #locked = false;

  constructor(bytes: Uint8Array, chunkSize: number) {
    this.#bytes = bytes;
    this.#chunkSize = Math.max(1, chunkSize);
  }

  get locked(): boolean {
    return this.#locked;
  }

  /** @internal Takes the remaining bytes at once (text(), json(), arrayBuffer()). */
  _drain(): Uint8Array {
    const bytes = this.#bytes ?? new Uint8Array(0);
    const rest = bytes.subarray(this.#offset);
    this.#offset = bytes.length;
    this.#bytes = undefined;
    return rest;
  }

  #next(): IteratorResult<Uint8Array> {
    const bytes = this.#bytes;
    if (bytes === undefined || this.#offset >= bytes.length) {
      this.#bytes = undefined;
      return { done: true, value: undefined };
    }
    const chunk = bytes.slice(this.#offset, this.#offset + this.#chunkSize);
    this.#offset += chunk.length;
    return { done: false, value: chunk };
  }

  async cancel(): Promise<void> {
    this.#bytes = undefined;
  }

  getReader() {
    if (this.#locked) throw new TypeError("the body stream is locked");
    this.#locked = true;
    const closed = Promise.resolve(undefined);
    return {
      read: async () => this.#next(),
      releaseLock: () => {
        this.#locked = false;
      },
      cancel: () => this.cancel(),
      closed,
    };
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#locked) throw new TypeError("the body stream is locked");
    this.#locked = true;
    return {
      next: async () => this.#next(),
      return: async () => {
        this.#bytes = undefined;
        return { done: true, value: undefined };
      },
    };
  }
}

/** The `Response` handed back to the SDKs. */
export class HostResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: HeadersLike & { get(name: string): string | null; has(name: string): boolean };
  readonly url: string;
  readonly redirected = false;
  readonly type = "basic";
  readonly body: HostBodyStream;
  readonly #raw: HttpResponse;
  readonly #chunkSize: number;
  #used = false;

  constructor(raw: HttpResponse, url: string, chunkSize: number) {
    const Headers = headersCtor();
    this.#raw = raw;
    this.#chunkSize = chunkSize;
    this.ok = raw.status >= 200 && raw.status < 300;
    this.status = raw.status;
    this.statusText = raw.statusText;
    this.url = url;
    this.headers = new Headers(Object.entries(raw.headers));
    this.body = new HostBodyStream(raw.body, chunkSize);
  }

  get bodyUsed(): boolean {
    return this.#used || this.body.locked;
  }

  #take(): Uint8Array {
    if (this.bodyUsed) throw new TypeError("Body is unusable: the body has already been read");
    this.#used = true;
    return this.body._drain();
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.#take().slice().buffer;
  }
  async bytes(): Promise<Uint8Array> {
    return this.#take().slice();
  }
  async text(): Promise<string> {
    return utf8Decode(this.#take());
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
  async blob(): Promise<ShimBlob> {
    return new ShimBlob([this.#take()], { type: this.headers.get("content-type") ?? "" });
  }
  clone(): HostResponse {
    if (this.bodyUsed) throw new TypeError("Response.clone: the body has already been read");
    return new HostResponse(this.#raw, this.url, this.#chunkSize);
  }
}

let fetchCounter = 0;

/** A `fetch`-compatible function over `host.http`, handed to the AI SDKs. */
export function createHostFetch(host: HostPort, options: HostFetchOptions = {}): typeof fetch {
  const chunkSize = options.chunkSize ?? 16_384;
  async function hostFetch(input: unknown, init: Record<string, unknown> = {}): Promise<HostResponse> {
    const request = typeof input === "object" && input !== null && "url" in input && typeof (input as { url: unknown }).url === "string" ? (input as Record<string, unknown>) : undefined;
    const url = request !== undefined ? String(request.url) : typeof input === "object" && input !== null && "href" in input ? String((input as { href: unknown }).href) : String(input);
    const method = String(init.method ?? request?.method ?? "GET").toUpperCase();
    const headers = headersToRecord(init.headers !== undefined ? init.headers : request?.headers);
    let bodySource = init.body;
    if (bodySource === undefined && request !== undefined && request.body !== undefined && request.body !== null && typeof request.arrayBuffer === "function") {
      bodySource = new Uint8Array(await (request.arrayBuffer as () => Promise<ArrayBuffer>)());
    }
    if ((method === "GET" || method === "HEAD") && bodySource !== undefined && bodySource !== null) throw new TypeError(`fetch: a ${method} request cannot have a body`);
    const { bytes, type } = await encodeBody(bodySource);
    if (type !== undefined && headers["content-type"] === undefined) headers["content-type"] = type;
    const signal = (init.signal ?? request?.signal) as { aborted: boolean; reason?: unknown; addEventListener?: (type: string, fn: () => void, options?: unknown) => void; removeEventListener?: (type: string, fn: () => void) => void } | null | undefined;
    if (signal?.aborted) throw abortError(signal.reason);
    const id = `fetch-${++fetchCounter}-${host.crypto.randomUUID()}`;
    const onAbort = () => host.http.abort(id);
    signal?.addEventListener?.("abort", onAbort, { once: true });
    try {
      const raw = await host.http.request({ id, url, method, headers, body: bytes, timeoutMs: options.timeoutMs });
      return new HostResponse(raw, url, chunkSize);
    } catch (error) {
      const code = (error as HostError)?.code;
      if (code === "aborted" || signal?.aborted) throw abortError(signal?.reason);
      const message = code === "timeout" ? "fetch failed: the request timed out" : `fetch failed: ${(error as Error)?.message ?? String(error)}`;
      throw new TypeError(message, { cause: error });
    } finally {
      signal?.removeEventListener?.("abort", onAbort);
    }
  }
  return hostFetch as unknown as typeof fetch;
}
