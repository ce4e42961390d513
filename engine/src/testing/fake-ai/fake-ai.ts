import { createServer, type Server } from "node:http";
import { imageSize, parseMultipart, wavSeconds } from "./decode.ts";
import { respond, transcriptFor } from "./responders.ts";

/**
 * Loopback fakes of the Anthropic Messages + Message Batches APIs and the
 * OpenAI transcription + chat completions APIs, enough for the real SDKs.
 * Usage is computed from the request (image sizes, text length, audio
 * duration); faults are injected on demand and every hit is counted.
 */

export type FaultKind =
  | "rate-limit"
  | "overloaded"
  | "server-error"
  | "timeout"
  | "spend-limit"
  | "malformed-json"
  | "invalid-output"
  | "bad-evidence"
  /** 400 invalid_request_error. */
  | "bad-request"
  /** 401 that echoes the credential it was sent, as some gateways do. */
  | "unauthorized"
  /** The connection drops before any answer. */
  | "connection-reset"
  /** A complete answer cut off mid-body (the work was done and billed). */
  | "truncated"
  /** One entry of the next batch errors. */
  | "batch-errored"
  /** One entry of the next batch expires. */
  | "batch-expired";

export interface FaultRule {
  readonly kind: FaultKind;
  /** How many requests it hits (default 1). */
  times?: number;
  /** Only requests whose path contains this. */
  readonly path?: string;
  readonly retryAfterSeconds?: number;
  /** For `timeout`: how long the server holds the finished answer (default 60 s). */
  readonly delayMs?: number;
}

export interface RecordedRequest {
  readonly api: "anthropic" | "openai";
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly fault?: FaultKind;
  readonly model?: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly audioSeconds: number;
  readonly images: number;
  /** Set for requests whose work completed on the server (including ones the client gave up on). */
  readonly completed: boolean;
  readonly bodyText: string;
}

export interface FakeAiOptions {
  /** Chance that a request gets a random transient fault (history checker). */
  readonly randomFaultRate?: number;
  readonly randomFaultKinds?: readonly FaultKind[];
  readonly seed?: number;
  /** Retrieves a batch answers `in_progress` this many times before `ended`. */
  readonly batchPolls?: number;
  /** Base URL the batch `results_url` points at (set by `listen`). */
  baseUrl?: string;
}

interface RawRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Hold the answer this long (timeout fault). */
  readonly holdMs?: number;
  /** Drop the connection instead of answering. */
  readonly reset?: boolean;
}

interface Batch {
  id: string;
  polls: number;
  results: string[];
  createdAt: string;
  count: number;
}

export interface FakeAi {
  readonly requests: RecordedRequest[];
  readonly faultsHit: Record<FaultKind, number>;
  readonly rules: FaultRule[];
  inject(rule: FaultRule): void;
  /** Handles one request in-process (what the HTTP server does per request). */
  handle(request: RawRequest): Promise<RawResponse>;
  /** A `fetch` that reaches this fake without sockets (fast tests on simulated time). */
  readonly fetch: typeof fetch;
  listen(): Promise<{ readonly url: string; close(): Promise<void> }>;
  /** Requests whose work completed server-side. */
  completedCount(path?: string): number;
  reset(): void;
}

const text = new TextDecoder();

function textTokens(value: string): number {
  return Math.ceil(value.length / 4);
}

function errorBody(api: "anthropic" | "openai", type: string, message: string, code?: string): string {
  return api === "anthropic"
    ? JSON.stringify({ type: "error", error: { type, message } })
    : JSON.stringify({ error: { message, type, param: null, code: code ?? type } });
}

export function createFakeAi(options: FakeAiOptions = {}): FakeAi {
  const requests: RecordedRequest[] = [];
  const rules: FaultRule[] = [];
  const faultsHit = {
    "rate-limit": 0,
    overloaded: 0,
    "server-error": 0,
    timeout: 0,
    "spend-limit": 0,
    "malformed-json": 0,
    "invalid-output": 0,
    "bad-evidence": 0,
    "bad-request": 0,
    unauthorized: 0,
    "connection-reset": 0,
    truncated: 0,
    "batch-errored": 0,
    "batch-expired": 0,
  } satisfies Record<FaultKind, number>;
  const batches = new Map<string, Batch>();
  let random = (options.seed ?? 7) >>> 0 || 1;
  let ids = 0;
  const next01 = () => {
    random ^= random << 13;
    random ^= random >>> 17;
    random ^= random << 5;
    return (random >>> 0) / 0x1_0000_0000;
  };

  function pickFault(path: string): FaultRule | undefined {
    const rule = rules.find((r) => (r.times ?? 1) > 0 && (r.path === undefined || path.includes(r.path)));
    if (rule !== undefined) {
      rule.times = (rule.times ?? 1) - 1;
      return rule;
    }
    const rate = options.randomFaultRate ?? 0;
    if (rate > 0 && next01() < rate) {
      const kinds = options.randomFaultKinds ?? ["rate-limit", "overloaded", "server-error"];
      return { kind: kinds[Math.floor(next01() * kinds.length)]!, retryAfterSeconds: 2 };
    }
    return undefined;
  }

  function faultResponse(api: "anthropic" | "openai", fault: FaultRule, request: RawRequest): RawResponse | undefined {
    const json = { "content-type": "application/json" };
    switch (fault.kind) {
      case "bad-request":
        return { status: 400, headers: json, body: errorBody(api, "invalid_request_error", "messages.0.content: unexpected block") };
      case "unauthorized": {
        const sent = request.headers["x-api-key"] ?? request.headers.authorization ?? "";
        return { status: 401, headers: json, body: errorBody(api, "authentication_error", `invalid x-api-key: ${sent}`) };
      }
      case "connection-reset":
        return { status: 0, headers: {}, body: "", reset: true };
      case "rate-limit":
        return { status: 429, headers: { ...json, "retry-after": String(fault.retryAfterSeconds ?? 3) }, body: errorBody(api, api === "anthropic" ? "rate_limit_error" : "rate_limit_exceeded", "Rate limited, slow down") };
      case "spend-limit":
        return api === "anthropic"
          ? { status: 429, headers: json, body: errorBody(api, "rate_limit_error", "You have reached your specified API usage limits. You will regain access on the first of next month.") }
          : { status: 429, headers: json, body: errorBody(api, "insufficient_quota", "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota") };
      case "overloaded":
        return { status: 529, headers: json, body: errorBody(api, "overloaded_error", "Overloaded") };
      case "server-error":
        return { status: 500, headers: json, body: errorBody(api, "api_error", "Internal server error") };
      case "malformed-json":
        return { status: 200, headers: json, body: '{"id": "msg_trunc", "content": [' };
      default:
        return undefined;
    }
  }

  function record(entry: Omit<RecordedRequest, "bodyText"> & { bodyText?: string }): void {
    requests.push({ ...entry, bodyText: entry.bodyText ?? "" });
  }

  async function handle(request: RawRequest): Promise<RawResponse> {
    const url = new URL(request.url, "http://fake.local");
    const path = url.pathname;
    const api: "anthropic" | "openai" = path.startsWith("/v1/messages") ? "anthropic" : "openai";
    const fault = pickFault(path);
    if (fault !== undefined) faultsHit[fault.kind]++;
    const early = fault === undefined ? undefined : faultResponse(api, fault, request);
    if (early !== undefined) {
      record({ api, method: request.method, path, status: early.status, fault: fault?.kind, inputTokens: 0, outputTokens: 0, audioSeconds: 0, images: 0, completed: false });
      return early;
    }
    const answer = route(api, request, path, url, fault);
    if (fault?.kind === "truncated") return { ...answer, body: answer.body.slice(0, Math.floor(answer.body.length / 2)) };
    return fault?.kind === "timeout" ? { ...answer, holdMs: fault.delayMs ?? 60_000 } : answer;
  }

  function messageFor(params: Record<string, unknown>, fault: FaultRule | undefined) {
    const model = String(params.model ?? "");
    let inputText = typeof params.system === "string" ? params.system : "";
    let images = 0;
    let imageTokens = 0;
    const messages = Array.isArray(params.messages) ? (params.messages as { content: unknown }[]) : [];
    for (const message of messages) {
      const blocks = typeof message.content === "string" ? [{ type: "text", text: message.content }] : (message.content as Record<string, unknown>[]);
      for (const block of blocks) {
        if (block.type === "text") inputText += `\n${String(block.text)}`;
        if (block.type === "image") {
          const source = block.source as { data: string };
          const size = imageSize(Buffer.from(source.data, "base64"));
          images++;
          // Anthropic's documented approximation: tokens ≈ width × height / 750, after it scales
          // an image down to a long edge of 1,568 px and about 1.2 megapixels (≈ 1,600 tokens).
          if (size === undefined) imageTokens += 1600;
          else {
            const scale = Math.min(1, 1568 / Math.max(size.width, size.height), Math.sqrt(1_200_000 / (size.width * size.height)));
            imageTokens += Math.ceil((Math.round(size.width * scale) * Math.round(size.height * scale)) / 750);
          }
        }
      }
    }
    const tools = Array.isArray(params.tools) ? (params.tools as { name: string; input_schema: unknown }[]) : [];
    inputText += JSON.stringify(tools);
    const toolName = (params.tool_choice as { name?: string } | undefined)?.name ?? tools[0]?.name ?? "";
    let input = respond(toolName, inputText, { badEvidence: fault?.kind === "bad-evidence" });
    if (fault?.kind === "invalid-output") input = { unexpected: true };
    const outputTokens = textTokens(JSON.stringify(input));
    const inputTokens = textTokens(inputText) + imageTokens;
    return {
      message: {
        id: `msg_${++ids}`,
        type: "message",
        role: "assistant",
        model,
        content: [{ type: "tool_use", id: `toolu_${ids}`, name: toolName, input }],
        stop_reason: "tool_use",
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: outputTokens },
      },
      model,
      inputTokens,
      outputTokens,
      images,
      inputText,
    };
  }

  function route(api: "anthropic" | "openai", request: RawRequest, path: string, url: URL, fault: FaultRule | undefined): RawResponse {
    const json = { "content-type": "application/json" };
    const bodyText = request.headers["content-type"]?.startsWith("multipart/") ? "" : text.decode(request.body);
    const notFound = (): RawResponse => ({ status: 404, headers: json, body: errorBody(api, "not_found_error", `no route ${request.method} ${path}`) });
    if (request.method === "POST" && path === "/v1/messages") {
      const result = messageFor(JSON.parse(bodyText) as Record<string, unknown>, fault);
      record({ api, method: "POST", path, status: 200, fault: fault?.kind, model: result.model, inputTokens: result.inputTokens, outputTokens: result.outputTokens, audioSeconds: 0, images: result.images, completed: true, bodyText: result.inputText });
      return { status: 200, headers: { ...json, "request-id": `req_${ids}` }, body: JSON.stringify(result.message) };
    }
    if (request.method === "POST" && path === "/v1/messages/batches") {
      const params = JSON.parse(bodyText) as { requests: { custom_id: string; params: Record<string, unknown> }[] };
      const id = `msgbatch_${++ids}`;
      const results: string[] = [];
      let inputTokens = 0;
      let outputTokens = 0;
      let images = 0;
      let allText = "";
      for (const entry of params.requests) {
        const result = messageFor(entry.params, undefined);
        allText += result.inputText;
        const broken = results.length === 0 && (fault?.kind === "batch-errored" || fault?.kind === "batch-expired") ? fault.kind : undefined;
        if (broken === undefined) {
          inputTokens += result.inputTokens;
          outputTokens += result.outputTokens;
          images += result.images;
        }
        results.push(
          JSON.stringify({
            custom_id: entry.custom_id,
            result: broken === "batch-errored" ? { type: "errored", error: { type: "error", error: { type: "api_error", message: "Internal server error" } } } : broken === "batch-expired" ? { type: "expired" } : { type: "succeeded", message: result.message },
          }),
        );
      }
      batches.set(id, { id, polls: 0, results, createdAt: new Date(0).toISOString(), count: params.requests.length });
      record({ api, method: "POST", path, status: 200, fault: fault?.kind, model: String(params.requests[0]?.params.model ?? ""), inputTokens, outputTokens, audioSeconds: 0, images, completed: true, bodyText: allText });
      return { status: 200, headers: json, body: JSON.stringify(batchObject(id, false)) };
    }
    const batchMatch = /^\/v1\/messages\/batches\/([^/]+)(\/results)?$/.exec(path);
    if (request.method === "GET" && batchMatch !== null) {
      const batch = batches.get(batchMatch[1]!);
      if (batch === undefined) return notFound();
      if (batchMatch[2] !== undefined) {
        record({ api, method: "GET", path, status: 200, inputTokens: 0, outputTokens: 0, audioSeconds: 0, images: 0, completed: true });
        return { status: 200, headers: { "content-type": "application/binary" }, body: `${batch.results.join("\n")}\n` };
      }
      batch.polls++;
      const ended = batch.polls > (options.batchPolls ?? 0);
      record({ api, method: "GET", path, status: 200, inputTokens: 0, outputTokens: 0, audioSeconds: 0, images: 0, completed: true });
      return { status: 200, headers: json, body: JSON.stringify(batchObject(batch.id, ended)) };
    }
    if (request.method === "POST" && path === "/v1/chat/completions") {
      const params = JSON.parse(bodyText) as { model: string; messages: { content: unknown }[]; response_format?: { json_schema?: { name?: string } } };
      let inputText = "";
      let images = 0;
      for (const message of params.messages) {
        if (typeof message.content === "string") inputText += `\n${message.content}`;
        else for (const part of message.content as Record<string, unknown>[]) {
          if (part.type === "text") inputText += `\n${String(part.text)}`;
          if (part.type === "image_url") images++;
        }
      }
      const name = params.response_format?.json_schema?.name ?? "";
      let output = respond(name, inputText, { badEvidence: fault?.kind === "bad-evidence" });
      if (fault?.kind === "invalid-output") output = { unexpected: true };
      const content = JSON.stringify(output);
      // Low-detail images cost a flat 85 tokens each on OpenAI's vision models.
      const inputTokens = textTokens(inputText) + images * 85;
      const outputTokens = textTokens(content);
      record({ api, method: "POST", path, status: 200, fault: fault?.kind, model: params.model, inputTokens, outputTokens, audioSeconds: 0, images, completed: true, bodyText: inputText });
      return {
        status: 200,
        headers: json,
        body: JSON.stringify({
          id: `chatcmpl_${++ids}`,
          object: "chat.completion",
          created: 0,
          model: params.model,
          choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content, refusal: null } }],
          usage: { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
        }),
      };
    }
    if (request.method === "POST" && path === "/v1/audio/transcriptions") {
      const parts = parseMultipart(request.body, request.headers["content-type"] ?? "");
      const file = parts.find((p) => p.name === "file");
      const model = text.decode(parts.find((p) => p.name === "model")?.data ?? new Uint8Array());
      const format = text.decode(parts.find((p) => p.name === "response_format")?.data ?? new Uint8Array()) || "json";
      if (file === undefined) return { status: 400, headers: json, body: errorBody(api, "invalid_request_error", "file is required") };
      if (file.data.length > 25 * 1024 * 1024) return { status: 413, headers: json, body: errorBody(api, "invalid_request_error", "file too large") };
      const seconds = wavSeconds(file.data);
      const transcript = transcriptFor(seconds, file.filename ?? "audio");
      const outputTokens = textTokens(transcript.text);
      record({ api, method: "POST", path, status: 200, fault: fault?.kind, model, inputTokens: format === "verbose_json" ? 0 : Math.ceil(seconds * 10), outputTokens: format === "verbose_json" ? 0 : outputTokens, audioSeconds: seconds, images: 0, completed: true, bodyText: file.filename ?? "" });
      const body =
        format === "verbose_json"
          ? { task: "transcribe", language: "english", duration: seconds, text: transcript.text, segments: transcript.segments.map((s, id) => ({ id, ...s })), usage: { type: "duration", seconds: Math.ceil(seconds) } }
          : { text: transcript.text, usage: { type: "tokens", input_tokens: Math.ceil(seconds * 10), output_tokens: outputTokens, total_tokens: Math.ceil(seconds * 10) + outputTokens } };
      return { status: 200, headers: json, body: fault?.kind === "invalid-output" ? JSON.stringify({ nothing: true }) : JSON.stringify(body) };
    }
    void url;
    return notFound();
  }

  function batchObject(id: string, ended: boolean) {
    const batch = batches.get(id)!;
    return {
      id,
      type: "message_batch",
      processing_status: ended ? "ended" : "in_progress",
      request_counts: { processing: ended ? 0 : batch.count, succeeded: ended ? batch.count : 0, errored: 0, canceled: 0, expired: 0 },
      ended_at: ended ? new Date(0).toISOString() : null,
      created_at: batch.createdAt,
      expires_at: new Date(86_400_000).toISOString(),
      archived_at: null,
      cancel_initiated_at: null,
      results_url: ended ? `${options.baseUrl ?? "http://fake-ai.local"}/v1/messages/batches/${id}/results` : null,
    };
  }

  const fakeFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => (headers[key.toLowerCase()] = value));
    const body = request.method === "GET" ? new Uint8Array() : new Uint8Array(await request.arrayBuffer());
    const answer = await handle({ method: request.method, url: request.url, headers, body });
    if (answer.reset === true) throw new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) });
    if (answer.holdMs !== undefined) {
      // The work is done (and recorded) but the answer arrives too late.
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, answer.holdMs);
        init?.signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new DOMException("The operation was aborted.", "AbortError"));
        });
      });
    }
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  }) as typeof fetch;

  return {
    requests,
    faultsHit,
    rules,
    inject: (rule) => void rules.push({ ...rule, times: rule.times ?? 1 }),
    handle,
    fetch: fakeFetch,
    async listen() {
      const server: Server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
          const headers: Record<string, string> = {};
          for (const [key, value] of Object.entries(req.headers)) if (typeof value === "string") headers[key] = value;
          void handle({ method: req.method ?? "GET", url: req.url ?? "/", headers, body: new Uint8Array(Buffer.concat(chunks)) }).then(
            (answer) => {
              if (answer.reset === true) return void req.socket.destroy();
              const send = () => {
                if (!res.destroyed) res.writeHead(answer.status, answer.headers).end(answer.body);
              };
              if (answer.holdMs === undefined) return send();
              const timer = setTimeout(send, answer.holdMs);
              res.on("close", () => clearTimeout(timer));
            },
            (error: unknown) => res.writeHead(500).end(String(error)),
          );
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const address = server.address();
      const url = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
      options.baseUrl = url;
      return {
        url,
        close: () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      };
    },
    completedCount: (path) => requests.filter((r) => r.completed && (path === undefined || r.path.includes(path))).length,
    reset() {
      requests.length = 0;
      rules.length = 0;
      for (const key of Object.keys(faultsHit) as FaultKind[]) faultsHit[key] = 0;
    },
  };
}
