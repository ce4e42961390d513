/**
 * The `local-server` provider: an OpenAI-compatible model server on this
 * machine — Ollama, LM Studio, llama.cpp's server — through the `openai` SDK
 * with a base URL. Structured output is asked for with a JSON-schema
 * response format (servers that ignore `strict` are why every answer is
 * validated with zod and, when invalid, asked again a bounded number of
 * times). Screenshots go to the model only when it can see (Ollama reports
 * a `vision` capability); otherwise they are read with on-device OCR. Audio
 * is transcribed on the device. Everything is billed at $0.
 */
import type OpenAI from "openai";
import * as z from "zod";
import { EngineError } from "../../bridge/index.ts";
import { base64Encode, type HostPort, type LanguageModelPort, type LanguageModelStatus } from "../../host/index.ts";
import type { Usage } from "../types.ts";
import { createLocalProvider } from "./local.ts";
import type { EnrichmentProvider } from "./port.ts";
import { screenshotPrompt, SYSTEM_PROMPT } from "./prompts.ts";
import { jsonSchemaFor, ScreenshotAnalysisOutputSchema } from "./schemas.ts";
import { createOpenAiClient, openAiErrorClasses } from "./openai-sdk.ts";
import { mapSdkError, withBilledUsage } from "./sdk-errors.ts";

/** Ollama's OpenAI-compatible endpoint on its usual loopback port. */
export const LOCAL_SERVER_DEFAULT_URL = "http://127.0.0.1:11434/v1";
/** Used when the server does not say its context size. */
export const LOCAL_SERVER_DEFAULT_CONTEXT = 8192;

export interface LocalServerProviderOptions {
  readonly host: HostPort;
  readonly baseURL: string;
  /** A model the server has, or `"auto"` for the first one it lists. */
  readonly model: string;
  readonly fetch: typeof fetch;
}

const CompletionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }).loose() }).loose()).min(1),
  usage: z.object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() }).loose().optional(),
});
const ModelListSchema = z.object({ data: z.array(z.object({ id: z.string() }).loose()) });
// Ollama's /api/show: capabilities (newer servers) and the model's context length.
const ShowSchema = z.object({ capabilities: z.array(z.string()).optional(), model_info: z.record(z.string(), z.unknown()).optional() }).loose();

/** Whether a URL names this machine. */
export function isLoopbackUrl(url: string): boolean {
  const host = /^[a-z]+:\/\/(\[[^\]]+\]|[^/:]+)/i.exec(url)?.[1]?.toLowerCase() ?? "";
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Parses a model's JSON answer, tolerating the code fences some local models wrap it in. */
export function parseModelJson(content: string): unknown {
  const trimmed = content.trim().replace(/^```(?:json)?\s*/i, "").replace(/\s*```$/, "");
  try {
    return JSON.parse(trimmed);
  } catch {
    const error = new Error("the answer is not JSON") as Error & { code: string };
    error.code = "invalid_output";
    throw error;
  }
}

interface ServerModel {
  readonly id: string;
  readonly vision: boolean;
  readonly contextTokens: number;
}

export function createLocalServerProvider(options: LocalServerProviderOptions): EnrichmentProvider {
  const baseURL = options.baseURL.replace(/\/$/, "").endsWith("/v1") ? options.baseURL.replace(/\/$/, "") : `${options.baseURL.replace(/\/$/, "")}/v1`;
  const root = baseURL.replace(/\/v1$/, "");
  // Local servers ignore the key; the SDK insists on one.
  const client = createOpenAiClient({ apiKey: "local-server", baseURL, fetch: options.fetch, maxRetries: 0, dangerouslyAllowBrowser: true });
  const errorClasses = openAiErrorClasses();
  const now = () => options.host.clock.now();
  const unreachable = (error: unknown) =>
    new EngineError("enrichment.provider_unavailable", `no model server at ${baseURL}: ${String(error)}`, { retryable: true });

  let model: Promise<ServerModel> | undefined;
  const serverModel = () =>
    (model ??= (async () => {
      let id = options.model;
      if (id === "auto" || id === "") {
        const listed = ModelListSchema.safeParse(await client.models.list().catch((error: unknown) => Promise.reject(unreachable(error))));
        const first = listed.success ? listed.data.data.find((m) => !/embed/i.test(m.id)) : undefined;
        if (first === undefined) throw new EngineError("enrichment.provider_unavailable", `no model at ${baseURL}; pull one first`);
        id = first.id;
      }
      let vision = false;
      let contextTokens = LOCAL_SERVER_DEFAULT_CONTEXT;
      try {
        const response = await options.fetch(`${root}/api/show`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: id }) });
        const show = response.ok ? ShowSchema.safeParse(await response.json()) : undefined;
        if (show?.success === true) {
          vision = show.data.capabilities?.includes("vision") === true;
          const length = Object.entries(show.data.model_info ?? {}).find(([key]) => key.endsWith(".context_length"))?.[1];
          if (typeof length === "number" && length > 0) contextTokens = length;
        }
      } catch {
        // LM Studio and llama.cpp have no /api/show: a text-only model with the default context.
      }
      return { id, vision, contextTokens };
    })().catch((error: unknown) => {
      model = undefined;
      throw error;
    }));

  async function chat(messages: OpenAI.Chat.ChatCompletionMessageParam[], name: string, schema: Record<string, unknown>, maxTokens: number | undefined) {
    const current = await serverModel();
    let raw: unknown;
    try {
      raw = await client.chat.completions.create(
        { model: current.id, messages, response_format: { type: "json_schema", json_schema: { name, schema, strict: true } }, ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }) },
        { maxRetries: 0, timeout: 10 * 60_000 },
      );
    } catch (error) {
      if (error instanceof errorClasses.APIConnectionError && !(error instanceof errorClasses.APIConnectionTimeoutError)) throw unreachable(error);
      throw mapSdkError(error, "openai", errorClasses, { signal: new AbortController().signal, timeoutMs: 10 * 60_000 }, now());
    }
    const completion = CompletionSchema.safeParse(raw);
    if (!completion.success) throw Object.assign(new Error("not a chat completion"), { code: "invalid_output" });
    const content = completion.data.choices[0]!.message.content ?? "";
    let json: unknown;
    try {
      json = parseModelJson(content);
    } catch {
      // Handed on as text: the caller's schema check fails it, counts the call and asks again.
      json = content;
    }
    return { json, inputTokens: completion.data.usage?.prompt_tokens ?? 0, outputTokens: completion.data.usage?.completion_tokens ?? 0, model: current };
  }

  const languageModel: LanguageModelPort = {
    async status(): Promise<LanguageModelStatus> {
      const current = await serverModel();
      return { available: true, model: current.id, contextTokens: current.contextTokens };
    },
    async generate(request) {
      const result = await chat(
        [
          { role: "system", content: request.instructions },
          { role: "user", content: request.prompt },
        ],
        "answer",
        { ...request.schema },
        request.maxOutputTokens,
      );
      return { json: result.json, inputTokens: result.inputTokens, outputTokens: result.outputTokens };
    },
  };

  const base = createLocalProvider(options.host, { languageModel, modelProvider: "local-server", strict: true });
  return {
    ...base,
    name: "local-server",
    local: isLoopbackUrl(baseURL),
    async analyseScreenshots(images, ctx) {
      const current = await serverModel();
      // Images only to a model that can see; the others get what on-device OCR read.
      if (!current.vision) return base.analyseScreenshots(images, ctx);
      const parts: OpenAI.Chat.ChatCompletionContentPart[] = [];
      for (const image of images) {
        parts.push({ type: "text", text: `${image.ref}@${Math.round(image.t)}` });
        parts.push({ type: "image_url", image_url: { url: `data:${image.mimeType};base64,${base64Encode(image.bytes)}` } });
      }
      parts.push({ type: "text", text: screenshotPrompt(images) });
      // An invalid answer fails the step as retryable: the queue asks again, within its bounded retries.
      const result = await chat([{ role: "system", content: SYSTEM_PROMPT }, { role: "user", content: parts }], "report_screenshots", jsonSchemaFor("report_screenshots"), undefined);
      const usage: Usage[] = [{ provider: "local-server", model: current.id, inputTokens: result.inputTokens, outputTokens: result.outputTokens, audioSeconds: 0, images: images.length, batch: false }];
      const parsed = ScreenshotAnalysisOutputSchema.safeParse(result.json);
      if (!parsed.success) throw withBilledUsage(new EngineError("enrichment.invalid_response", "local-server: invalid screenshot answer", { retryable: true }), usage);
      return { value: parsed.data.screenshots, usage };
    },
  };
}
