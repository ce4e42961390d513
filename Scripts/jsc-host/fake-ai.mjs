// A loopback stand-in for the Anthropic Messages and OpenAI Chat Completions
// APIs, just enough for the JavaScriptCore suite's SDK calls. Model names pick
// the behaviour: "rate-limit" answers 429, "slow" never answers in time.
import { createServer } from "node:http";

export const STREAM_TEXT = ["Hello", ", naïve", " 会議", " 📼", "!"];

function sse(response, events) {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const [name, data] of events) response.write(`${name ? `event: ${name}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
  response.end();
}

function anthropic(body, response) {
  if (body.stream) {
    return sse(response, [
      ["message_start", { type: "message_start", message: { id: "msg_fake", type: "message", role: "assistant", model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, output_tokens: 0 } } }],
      ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
      ...STREAM_TEXT.map((text) => ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }]),
      ["content_block_stop", { type: "content_block_stop", index: 0 }],
      ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 5 } }],
      ["message_stop", { type: "message_stop" }],
    ]);
  }
  response.writeHead(200, { "content-type": "application/json", "request-id": "req_fake" });
  response.end(JSON.stringify({ id: "msg_fake", type: "message", role: "assistant", model: body.model, content: [{ type: "text", text: "Hello from the loopback fake" }], stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: 3, output_tokens: 5 } }));
}

function openai(body, response) {
  if (body.stream) {
    const chunk = (delta, finish = null) => ({ id: "chatcmpl_fake", object: "chat.completion.chunk", created: 1, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] });
    return sse(response, [[null, chunk({ role: "assistant", content: "" })], ...STREAM_TEXT.map((text) => [null, chunk({ content: text })]), [null, chunk({}, "stop")], [null, "[DONE]"]]);
  }
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify({ id: "chatcmpl_fake", object: "chat.completion", created: 1, model: body.model, choices: [{ index: 0, message: { role: "assistant", content: "Hello from the loopback fake" }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 } }));
}

/** Starts the fake on 127.0.0.1; `requests` records each call (method, url, headers, body). */
export async function startFakeAi() {
  const requests = [];
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      let body = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      } catch {
        response.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: "body is not JSON" } }));
        return;
      }
      requests.push({ method: request.method, url: request.url, headers: request.headers, body });
      if (body.model === "rate-limit") {
        response.writeHead(429, { "content-type": "application/json", "retry-after": "7" });
        response.end(JSON.stringify({ type: "error", error: { type: "rate_limit_error", message: "slow down" } }));
        return;
      }
      if (body.model === "slow") {
        const timer = setTimeout(() => response.end(), 3000);
        response.on("close", () => clearTimeout(timer));
        return;
      }
      if (request.method === "POST" && request.url === "/v1/messages") return anthropic(body, response);
      if (request.method === "POST" && request.url === "/v1/chat/completions") return openai(body, response);
      response.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `no route ${request.url}` } }));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
