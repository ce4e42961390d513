import { createServer, type Server } from "node:http";

/**
 * A loopback fake of Ollama's OpenAI-compatible API, with its quirks: it
 * accepts `response_format` JSON schemas but ignores `strict`, reports usage
 * as prompt/completion tokens, takes a while before the first byte (a model
 * loading), and tells vision models apart only through its own
 * `/api/show` capabilities. Answers are built from the requested schema;
 * invalid answers are injected on demand and every request is recorded.
 */

export interface FakeOllamaModel {
  readonly name: string;
  readonly vision: boolean;
  readonly contextLength: number;
}

export interface FakeOllamaRequest {
  readonly path: string;
  readonly model?: string;
  readonly schemaName?: string;
  readonly strict?: boolean;
  readonly images: number;
  readonly prompt: string;
  readonly invalid: boolean;
}

export interface FakeOllama {
  readonly url: string;
  readonly requests: FakeOllamaRequest[];
  /** The next `count` chat answers are invalid: `"text"` is not JSON, `"schema"` misses required fields. */
  answerInvalid(count: number, kind?: "text" | "schema"): void;
  close(): Promise<void>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { type?: string; properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: Json[]; minItems?: number; anyOf?: Schema[]; minimum?: number };

/** A value matching `schema`, using the prompt where a field asks for indexes or refs. */
function valueFor(schema: Schema, key: string, prompt: string, index: number): Json {
  if (schema.anyOf !== undefined) return valueFor(schema.anyOf.find((s) => s.type !== "null") ?? {}, key, prompt, index);
  if (schema.enum !== undefined) return schema.enum[0] ?? null;
  switch (schema.type) {
    case "object": {
      const out: Record<string, Json> = {};
      for (const [name, inner] of Object.entries(schema.properties ?? {})) out[name] = valueFor(inner, name, prompt, index);
      return out;
    }
    case "array": {
      // Chapters are numbered "N. [..]" in the prompt; screenshots are "ref@t".
      const numbered = [...prompt.matchAll(/^(\d+)\. \[/gm)].map((m) => Number(m[1]));
      const refs = [...prompt.matchAll(/^(\w+)@\d+$/gm)].map((m) => m[1]!);
      const count = key === "chapters" ? numbered.length : key === "screenshots" ? refs.length : Math.max(1, schema.minItems ?? 1);
      return Array.from({ length: count }, (_, i) => {
        const item = valueFor(schema.items ?? {}, key, prompt, i);
        if (key === "screenshots" && typeof item === "object" && item !== null && !Array.isArray(item)) item.ref = refs[i] ?? String(i);
        if (key === "chapters" && typeof item === "object" && item !== null && !Array.isArray(item) && "index" in item) item.index = numbered[i] ?? i;
        return item;
      });
    }
    case "integer":
    case "number":
      return Math.max(schema.minimum ?? 0, index);
    case "boolean":
      return false;
    default:
      return key === "title" ? `Named by the model ${index}` : key === "summary" ? "Written by the local model." : key === "ref" ? String(index) : `model ${key}`;
  }
}

export async function createFakeOllama(options: { readonly models?: readonly FakeOllamaModel[]; readonly firstByteDelayMs?: number } = {}): Promise<FakeOllama> {
  const models = options.models ?? [{ name: "llama3.2:3b", vision: false, contextLength: 4096 }];
  const requests: FakeOllamaRequest[] = [];
  let invalid: { count: number; kind: "text" | "schema" } = { count: 0, kind: "text" };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0]!;
      const body = chunks.length === 0 ? {} : (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>);
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(payload));
      };
      if (req.method === "GET" && path === "/v1/models") {
        requests.push({ path, images: 0, prompt: "", invalid: false });
        return send(200, { object: "list", data: models.map((m) => ({ id: m.name, object: "model", created: 1_700_000_000, owned_by: "library" })) });
      }
      if (req.method === "POST" && path === "/api/show") {
        const model = models.find((m) => m.name === body.model);
        requests.push({ path, model: String(body.model), images: 0, prompt: "", invalid: false });
        if (model === undefined) return send(404, { error: `model '${String(body.model)}' not found` });
        return send(200, { capabilities: model.vision ? ["completion", "vision"] : ["completion"], model_info: { "general.architecture": "llama", "llama.context_length": model.contextLength } });
      }
      if (req.method === "POST" && path === "/v1/chat/completions") {
        const messages = (body.messages ?? []) as { content: string | { type: string; text?: string }[] }[];
        let images = 0;
        const prompt = messages
          .map((m) => (typeof m.content === "string" ? m.content : m.content.map((p) => (p.type === "image_url" ? (images++, "") : (p.text ?? ""))).join("\n")))
          .join("\n");
        const format = body.response_format as { json_schema?: { name?: string; schema?: Schema; strict?: boolean } } | undefined;
        const bad = invalid.count > 0;
        const kind = invalid.kind;
        if (bad) invalid.count--;
        requests.push({ path, model: String(body.model), ...(format?.json_schema?.name === undefined ? {} : { schemaName: format.json_schema.name }), ...(format?.json_schema?.strict === undefined ? {} : { strict: format.json_schema.strict }), images, prompt, invalid: bad });
        if (!models.some((m) => m.name === body.model)) return send(404, { error: { message: `model "${String(body.model)}" not found, try pulling it first`, type: "api_error" } });
        const answer = bad ? (kind === "text" ? "Sure! Here is the summary you asked for." : "{}") : JSON.stringify(valueFor(format?.json_schema?.schema ?? { type: "string" }, "answer", prompt, 0));
        const promptTokens = Math.ceil(prompt.length / 4) + images * 600;
        // A model being loaded: the first byte comes late.
        setTimeout(
          () =>
            send(200, {
              id: `chatcmpl-${requests.length}`,
              object: "chat.completion",
              created: 1_700_000_000,
              model: body.model,
              system_fingerprint: "fp_ollama",
              choices: [{ index: 0, message: { role: "assistant", content: answer }, finish_reason: "stop" }],
              usage: { prompt_tokens: promptTokens, completion_tokens: Math.ceil(answer.length / 4), total_tokens: promptTokens + Math.ceil(answer.length / 4) },
            }),
          options.firstByteDelayMs ?? 0,
        );
        return;
      }
      send(404, { error: "404 page not found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answerInvalid(count, kind = "text") {
      invalid = { count, kind };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
