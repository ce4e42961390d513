import * as z from "zod";
import { EngineError } from "../../bridge/index.ts";
import { base64Encode } from "../../host/index.ts";
import { parseWavHeader, splitWav } from "../../media/index.ts";
import type { Usage } from "../types.ts";
import type { AudioInput, CallContext, EnrichmentProvider, ModelChoice, ProviderResult } from "./port.ts";
import { AUDIO_REVIEW_TASK, CHAPTERS_TASK, SUMMARY_TASK, SYSTEM_PROMPT, screenshotPrompt, timelinePrompt } from "./prompts.ts";
import {
  AudioReviewOutputSchema,
  ChaptersOutputSchema,
  jsonSchemaFor,
  ScreenshotAnalysisOutputSchema,
  SummaryOutputSchema,
  type StructuredOutputName,
  type TranscriptSegment,
} from "./schemas.ts";
import { withMultipartBodies } from "./multipart.ts";
import { createOpenAiClient, openAiErrorClasses, openAiFile } from "./openai-sdk.ts";
import { billed, mapSdkError, validateOutput, withBilledUsage } from "./sdk-errors.ts";

export const OPENAI_DEFAULT_MODELS = { screenshot: "gpt-4o-mini", summary: "gpt-4o-mini", transcription: "gpt-4o-mini-transcribe" } as const;
/** The transcription endpoint refuses files over 25 MB; stay clear of it. */
export const OPENAI_UPLOAD_LIMIT_BYTES = 24 * 1024 * 1024;

export interface OpenAiProviderOptions {
  readonly apiKey: string;
  readonly baseURL?: string;
  readonly fetch: typeof fetch;
  readonly models: ModelChoice;
  readonly now: () => number;
  readonly uploadLimitBytes?: number;
  /** Random hex for multipart boundaries (host randomness). */
  readonly randomHex?: () => string;
}

const CompletionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable(), refusal: z.string().nullable().optional() }).loose() }).loose()).min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).loose(),
});

const TranscriptionSchema = z.object({
  text: z.string(),
  duration: z.number().optional(),
  segments: z.array(z.object({ start: z.number(), end: z.number(), text: z.string() }).loose()).optional(),
  usage: z
    .union([
      z.object({ type: z.literal("tokens"), input_tokens: z.number(), output_tokens: z.number() }).loose(),
      z.object({ type: z.literal("duration"), seconds: z.number() }).loose(),
    ])
    .optional(),
});

type Part = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string; detail: "low" | "high" | "auto" } };

/** OpenAI through the official SDK: transcription, vision and text with JSON-schema response formats. */
export function createOpenAiProvider(options: OpenAiProviderOptions): EnrichmentProvider {
  let uploads = 0;
  const boundary = options.randomHex ?? (() => `${options.now().toString(16)}${(++uploads).toString(16).padStart(8, "0")}`);
  const client = createOpenAiClient({ apiKey: options.apiKey, baseURL: options.baseURL, fetch: withMultipartBodies(options.fetch, boundary), maxRetries: 0, dangerouslyAllowBrowser: true });
  const errorClasses = openAiErrorClasses();
  const uploadLimit = options.uploadLimitBytes ?? OPENAI_UPLOAD_LIMIT_BYTES;

  async function complete<S extends z.ZodType>(name: StructuredOutputName, model: string, parts: Part[], images: number, schema: S, ctx: CallContext): Promise<ProviderResult<z.output<S>>> {
    let raw: unknown;
    try {
      raw = await client.chat.completions.create(
        {
          model,
          messages: [
            { role: "system", content: SYSTEM_PROMPT },
            { role: "user", content: parts },
          ],
          response_format: { type: "json_schema", json_schema: { name, schema: jsonSchemaFor(name), strict: true } },
        },
        { signal: ctx.signal, timeout: ctx.timeoutMs, maxRetries: 0 },
      );
    } catch (error) {
      throw mapSdkError(error, "openai", errorClasses, ctx, options.now());
    }
    const completion = validateOutput(CompletionSchema, raw, "openai");
    const message = completion.choices[0]!.message;
    const usage: Usage[] = [{ provider: "openai", model, inputTokens: completion.usage.prompt_tokens, outputTokens: completion.usage.completion_tokens, audioSeconds: 0, images, batch: false }];
    const value = billed(usage, () => {
      if (message.content === null) throw new EngineError("enrichment.invalid_response", `openai: no content${message.refusal ? ` (refused: ${message.refusal})` : ""}`, { retryable: true });
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.content);
      } catch {
        throw new EngineError("enrichment.invalid_response", "openai: response content is not JSON", { retryable: true });
      }
      return validateOutput(schema, parsed, "openai");
    });
    return { value, usage };
  }

  async function transcribePart(bytes: Uint8Array, input: AudioInput, offsetMs: number, durationMs: number, ctx: CallContext) {
    const model = options.models.transcription;
    const verbose = model === "whisper-1";
    let raw: unknown;
    try {
      const file = await openAiFile(bytes, input.fileName, { type: input.mimeType });
      raw = await client.audio.transcriptions.create(
        { file, model, response_format: verbose ? "verbose_json" : "json" },
        { signal: ctx.signal, timeout: ctx.timeoutMs, maxRetries: 0 },
      );
    } catch (error) {
      throw mapSdkError(error, "openai", errorClasses, ctx, options.now());
    }
    const billedAudio: Usage[] = [{ provider: "openai", model, inputTokens: 0, outputTokens: 0, audioSeconds: durationMs / 1000, images: 0, batch: false }];
    const result = billed(billedAudio, () => validateOutput(TranscriptionSchema, raw, "openai"));
    const start = input.tStart + offsetMs;
    const segments: TranscriptSegment[] =
      result.segments !== undefined && result.segments.length > 0
        ? result.segments.map((s) => ({ ref: input.ref, tStart: start + s.start * 1000, tEnd: Math.min(input.tEnd, start + s.end * 1000), text: s.text.trim() }))
        : [{ ref: input.ref, tStart: start, tEnd: Math.min(input.tEnd, start + durationMs), text: result.text.trim() }];
    const usage: Usage = {
      provider: "openai",
      model,
      inputTokens: result.usage?.type === "tokens" ? result.usage.input_tokens : 0,
      outputTokens: result.usage?.type === "tokens" ? result.usage.output_tokens : 0,
      // Transcription is billed per minute of audio; trust the provider's figure when it reports one.
      audioSeconds: result.usage?.type === "duration" ? result.usage.seconds : (result.duration ?? durationMs / 1000),
      images: 0,
      batch: false,
    };
    return { segments, usage };
  }

  return {
    name: "openai",
    local: false,
    async transcribe(input, ctx) {
      const isWav = input.mimeType === "audio/wav" || input.mimeType === "audio/x-wav" || input.fileName.endsWith(".wav");
      const parts = isWav ? splitWav(input.bytes, uploadLimit) : [{ bytes: input.bytes, offsetMs: 0, durationMs: input.tEnd - input.tStart }];
      if (!isWav && input.bytes.length > uploadLimit) throw new EngineError("media.unsupported_format", `audio ${input.ref} exceeds the upload limit and cannot be split`);
      const segments: TranscriptSegment[] = [];
      const usage: Usage[] = [];
      for (const part of parts) {
        const durationMs = isWav ? parseWavHeader(part.bytes).durationMs : part.durationMs;
        const result = await transcribePart(part.bytes, input, part.offsetMs, durationMs, ctx).catch((error: unknown) => {
          throw withBilledUsage(error, usage);
        });
        segments.push(...result.segments);
        usage.push(result.usage);
      }
      return { value: segments, usage };
    },
    async analyseScreenshots(images, ctx) {
      const parts: Part[] = [];
      for (const image of images) {
        parts.push({ type: "text", text: `${image.ref}@${Math.round(image.t)}` });
        parts.push({ type: "image_url", image_url: { url: `data:${image.mimeType};base64,${base64Encode(image.bytes)}`, detail: "low" } });
      }
      parts.push({ type: "text", text: screenshotPrompt(images) });
      const result = await complete("report_screenshots", options.models.screenshot, parts, images.length, ScreenshotAnalysisOutputSchema, ctx);
      return { value: result.value.screenshots, usage: result.usage };
    },
    async reviewAudio(context, ctx) {
      return complete("report_audio_review", options.models.screenshot, [{ type: "text", text: timelinePrompt(context, AUDIO_REVIEW_TASK) }], 0, AudioReviewOutputSchema, ctx);
    },
    async chapters(context, ctx) {
      const result = await complete("report_chapters", options.models.chapters ?? options.models.summary, [{ type: "text", text: timelinePrompt(context, CHAPTERS_TASK) }], 0, ChaptersOutputSchema, ctx);
      return { value: result.value.chapters, usage: result.usage };
    },
    async summary(context, ctx) {
      return complete("report_summary", options.models.summary, [{ type: "text", text: timelinePrompt(context, SUMMARY_TASK) }], 0, SummaryOutputSchema, ctx);
    },
  };
}
