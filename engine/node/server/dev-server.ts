import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InboundMessageSchema, MAX_MESSAGE_BYTES } from "../../src/bridge/index.ts";
import type { Engine } from "../../src/engine/index.ts";
import type { ReviewFeature } from "../../src/review/index.ts";
import { checkBindHost, createToken, isLoopback, originProblem, presentedToken, tokenCookieName, tokenMatches } from "./security.ts";
import { serveBlob } from "./blob-route.ts";
import { readStatic } from "./static-files.ts";
import { handleForwardedCommand, type RunForwardedCommand } from "./owner-api.ts";

export interface DevServerOptions {
  readonly engine: Engine;
  /** Data directory; attachments are read from `attachments/blobs/<sha256>.dat`. */
  readonly dataDir: string;
  /** The built panel (`dist/webview-ui`). */
  readonly staticDir: string;
  readonly host?: string;
  /** True when the user named the host: only then may it be other than loopback. */
  readonly hostExplicit?: boolean;
  /** 0 takes a free port. */
  readonly port?: number;
  readonly token?: string;
  readonly heartbeatMs?: number;
  /** Runs `stint` commands forwarded by other processes while this one owns the data folder (`POST /owner/command`). */
  readonly runCommand?: RunForwardedCommand;
  /** Open `/events` streams allowed at once (default {@link MAX_EVENT_STREAMS}). */
  readonly maxEventStreams?: number;
}

/** A panel holds one event stream; a few tabs and reconnects stay well under this. */
export const MAX_EVENT_STREAMS = 32;

export interface DevServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** The address to open: the panel with the token. */
  readonly openUrl: string;
  close(): Promise<void>;
}

const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; media-src 'self' blob:; connect-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const DIGEST = /^\/blobs\/([0-9a-f]{64})$/;

function send(response: ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8", headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), "cache-control": "no-store", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", ...headers });
  response.end(body);
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  send(response, status, JSON.stringify({ v: 1, id: null, error: { code, message, retryable: false } }), "application/json");
}

/** Reads a body up to `limit` bytes; resolves undefined when it is larger (and stops reading). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"] ?? "0");
    if (declared > limit) {
      resolve(undefined);
      request.resume();
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        parts.push(chunk);
        return;
      }
      // Answer at once instead of reading an endless body; the connection closes after the reply.
      request.off("data", onData);
      resolve(undefined);
    };
    request.on("data", onData);
    request.on("end", () => resolve(Buffer.concat(parts)));
    request.on("error", reject);
  });
}

/**
 * The dev host's HTTP server: the panel's static files, `POST /bridge`,
 * `GET /events` (server-sent events) and `GET /blobs/<sha256>`, all behind
 * the run's token and same-origin checks.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const hostname = options.host ?? "127.0.0.1";
  checkBindHost(hostname, options.hostExplicit === true);
  const token = options.token ?? createToken();
  const allowedHosts = new Set<string>();
  const streams = new Set<ServerResponse>();
  const review = () => options.engine.context.features.get("review") as ReviewFeature | undefined;

  function openEvents(request: IncomingMessage, response: ServerResponse): void {
    // Each stream holds a socket and a listener: a client that opens them without end is turned away.
    if (streams.size >= (options.maxEventStreams ?? MAX_EVENT_STREAMS)) {
      send(response, 503, "too many event streams are open", undefined, { "retry-after": "5" });
      return;
    }
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive", "x-content-type-options": "nosniff" });
    response.write("retry: 2000\n: connected\n\n");
    streams.add(response);
    const off = options.engine.subscribe((event) => {
      response.write(`data: ${JSON.stringify(event)}\n\n`);
    });
    const heartbeat = setInterval(() => response.write(": ping\n\n"), options.heartbeatMs ?? 15_000);
    const close = () => {
      clearInterval(heartbeat);
      off();
      streams.delete(response);
    };
    request.on("close", close);
    response.on("close", close);
  }

  async function handleBridge(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // Media types are case-insensitive (RFC 9110 §8.3.1): `Application/JSON` is JSON.
    const type = String(request.headers["content-type"] ?? "").toLowerCase();
    if (type.split(";")[0]!.trim() !== "application/json") {
      sendError(response, 415, "bridge.invalid_message", "POST /bridge takes application/json");
      return;
    }
    const body = await readBody(request, MAX_MESSAGE_BYTES);
    if (body === undefined) {
      response.setHeader("connection", "close");
      sendError(response, 413, "bridge.payload_too_large", `bodies are limited to ${MAX_MESSAGE_BYTES} bytes`);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      sendError(response, 400, "bridge.invalid_message", "body is not valid JSON");
      return;
    }
    const envelope = InboundMessageSchema.safeParse(parsed);
    if (!envelope.success) {
      sendError(response, 400, "bridge.invalid_message", "body is not a bridge envelope ({ v: 1, id?, method, params })");
      return;
    }
    // Whoever holds the token speaks for the panel, never for the recorder.
    const reply = await options.engine.handle(envelope.data, "panel");
    if (reply === undefined) {
      response.writeHead(204, { "cache-control": "no-store" });
      response.end();
      return;
    }
    send(response, 200, JSON.stringify(reply), "application/json");
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://stint.invalid");
    if (url.pathname === "/favicon.ico") {
      response.writeHead(204, { "cache-control": "no-store" });
      response.end();
      return;
    }
    const problem = originProblem(request, hostname === "0.0.0.0" || hostname === "::" ? "any" : allowedHosts);
    if (problem !== undefined) {
      send(response, 403, `forbidden: ${problem}`);
      return;
    }
    const presented = presentedToken(request, url, tokenCookieName(port));
    if (!tokenMatches(token, presented.token)) {
      send(response, 401, presented.token === undefined ? "a token is required: open the address `stint serve` printed" : "wrong token: open the address `stint serve` printed for this run");
      return;
    }
    const method = request.method ?? "GET";
    if (url.pathname === "/owner/command") {
      if (method !== "POST") send(response, 405, "POST only", undefined, { allow: "POST" });
      else {
        const body = await readBody(request, MAX_MESSAGE_BYTES);
        if (body === undefined) sendError(response, 413, "bridge.payload_too_large", `bodies are limited to ${MAX_MESSAGE_BYTES} bytes`);
        else await handleForwardedCommand(body, response, options.runCommand);
      }
      return;
    }
    if (url.pathname === "/bridge") {
      if (method !== "POST") send(response, 405, "POST only", undefined, { allow: "POST" });
      else await handleBridge(request, response);
      return;
    }
    if (method !== "GET" && method !== "HEAD") {
      send(response, 405, "GET only", undefined, { allow: "GET, HEAD" });
      return;
    }
    if (url.pathname === "/events") {
      openEvents(request, response);
      return;
    }
    const blob = DIGEST.exec(url.pathname);
    if (blob !== null) {
      await serveBlob(request, response, blob[1] as string, { dataDir: options.dataDir, fallback: async (digest) => review()?.library().readBlob(digest) });
      return;
    }
    if (url.pathname.startsWith("/blobs/")) {
      send(response, 400, "attachments are addressed by a lower-case hex SHA-256 digest");
      return;
    }
    const file = await readStatic(options.staticDir, url.pathname);
    if (file === undefined) {
      send(response, 404, url.pathname === "/" ? "the panel is not built: run `npm run build`" : "not found");
      return;
    }
    const headers: Record<string, string> = { "content-type": file.type, "content-length": String(file.body.length), "cache-control": "no-store", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "content-security-policy": PAGE_CSP, "x-frame-options": "DENY" };
    // The page's own scripts and styles load without the query token: a strict same-site cookie carries it.
    if (presented.via !== "cookie") headers["set-cookie"] = `${tokenCookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
    response.writeHead(200, headers);
    response.end(method === "HEAD" ? undefined : file.body);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, "engine.internal", error instanceof Error ? error.message : "internal error");
      else response.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, hostname, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
  allowedHosts.add(`${shown}:${port}`.toLowerCase());
  if (isLoopback(hostname)) {
    allowedHosts.add(`127.0.0.1:${port}`);
    allowedHosts.add(`localhost:${port}`);
    allowedHosts.add(`[::1]:${port}`);
  }
  const url = `http://${shown}:${port}`;
  return {
    url,
    port,
    token,
    openUrl: `${url}/?token=${token}`,
    async close() {
      for (const stream of streams) stream.end();
      streams.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
