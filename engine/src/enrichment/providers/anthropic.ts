import * as z from "zod";
import { EngineError } from "../../bridge/index.ts";
import { base64Encode } from "../../host/index.ts";
import type { Usage } from "../types.ts";
import { anthropicErrorClasses, createAnthropicClient } from "./anthropic-sdk.ts";
import type { BatchHandle, CallContext, EnrichmentProvider, ImageInput, ModelChoice, ProviderResult, TimelineContext } from "./port.ts";
import { AUDIO_REVIEW_TASK, CHAPTERS_TASK, SUMMARY_TASK, SYSTEM_PROMPT, screenshotPrompt, timelinePrompt } from "./prompts.ts";
import {
  AudioReviewOutputSchema,
  ChaptersOutputSchema,
  jsonSchemaFor,
  ScreenshotAnalysisOutputSchema,
  STRUCTURED_OUTPUTS,
  SummaryOutputSchema,
  type ScreenshotAnalysisItem,
  type StructuredOutputName,
} from "./schemas.ts";
import { billed, mapSdkError, validateOutput, withBilledUsage } from "./sdk-errors.ts";

export const ANTHROPIC_DEFAULT_MODELS = { screenshot: "claude-haiku-4-5", summary: "claude-sonnet-4-6" } as const;

export interface AnthropicProviderOptions {
  readonly apiKey: string;
  readonly baseURL?: string;
  readonly fetch: typeof fetch;
  readonly models: ModelChoice;
  readonly now: () => number;
}

const MessageSchema = z.object({
  content: z.array(z.object({ type: z.string(), name: z.string().optional(), input: z.unknown().optional() }).loose()),
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number() }).loose(),
  stop_reason: z.string().nullable().optional(),
});
type Message = z.infer<typeof MessageSchema>;

const MAX_TOKENS: Record<StructuredOutputName, number> = { report_screenshots: 1500, report_audio_review: 1500, report_chapters: 2000, report_summary: 3000 };

type ContentBlock = { type: "text"; text: string } | { type: "image"; source: { type: "base64"; media_type: "image/png" | "image/jpeg" | "image/webp" | "image/gif"; data: string } };

function imageBlocks(images: readonly ImageInput[]): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  for (const image of images) {
    blocks.push({ type: "text", text: `${image.ref}@${Math.round(image.t)}` });
    const mediaType = image.mimeType === "image/jpeg" || image.mimeType === "image/webp" || image.mimeType === "image/gif" ? image.mimeType : "image/png";
    blocks.push({ type: "image", source: { type: "base64", media_type: mediaType, data: base64Encode(image.bytes) } });
  }
  blocks.push({ type: "text", text: screenshotPrompt(images) });
  return blocks;
}

function messageParams(model: string, tool: StructuredOutputName, content: ContentBlock[]) {
  return {
    model,
    max_tokens: MAX_TOKENS[tool],
    system: SYSTEM_PROMPT,
    tools: [{ name: tool, description: STRUCTURED_OUTPUTS[tool].description, input_schema: jsonSchemaFor(tool) as { type: "object" } }],
    tool_choice: { type: "tool" as const, name: tool },
    messages: [{ role: "user" as const, content }],
  };
}

/** The forced tool's input, or a retryable error when the model answered otherwise. */
function toolInput(message: Message, tool: StructuredOutputName): unknown {
  const block = message.content.find((item) => item.type === "tool_use" && item.name === tool);
  if (block === undefined) throw new EngineError("enrichment.invalid_response", `anthropic: no ${tool} tool call in the response`, { retryable: true });
  return block.input;
}

function usageOf(message: Message, model: string, images: number, batch: boolean): Usage {
  return { provider: "anthropic", model, inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens, audioSeconds: 0, images, batch };
}

/** Anthropic through the official SDK: Messages with image blocks, Message Batches for bulk screenshots. */
export function createAnthropicProvider(options: AnthropicProviderOptions): EnrichmentProvider {
  // The queue owns retries; the SDK must never retry on its own.
  const client = createAnthropicClient({ apiKey: options.apiKey, baseURL: options.baseURL, fetch: options.fetch, maxRetries: 0, dangerouslyAllowBrowser: true });
  const errorClasses = anthropicErrorClasses();

  async function call<T>(tool: StructuredOutputName, model: string, content: ContentBlock[], images: number, schema: z.ZodType<T>, ctx: CallContext): Promise<ProviderResult<T>> {
    let raw: unknown;
    try {
      raw = await client.messages.create(messageParams(model, tool, content), { signal: ctx.signal, timeout: ctx.timeoutMs, maxRetries: 0 });
    } catch (error) {
      throw mapSdkError(error, "anthropic", errorClasses, ctx, options.now());
    }
    const message = validateOutput(MessageSchema, raw, "anthropic");
    const usage = [usageOf(message, model, images, false)];
    return { value: billed(usage, () => validateOutput(schema, toolInput(message, tool), "anthropic")), usage };
  }

  const text = (body: string): ContentBlock[] => [{ type: "text", text: body }];

  return {
    name: "anthropic",
    local: false,
    async analyseScreenshots(images, ctx) {
      const result = await call("report_screenshots", options.models.screenshot, imageBlocks(images), images.length, ScreenshotAnalysisOutputSchema, ctx);
      return { value: result.value.screenshots, usage: result.usage };
    },
    async submitScreenshotBatch(groups, ctx): Promise<BatchHandle> {
      const requests = groups.map((images, index) => ({
        custom_id: `g${index}`,
        params: messageParams(options.models.screenshot, "report_screenshots", imageBlocks(images)),
      }));
      try {
        const batch = await client.messages.batches.create({ requests }, { signal: ctx.signal, timeout: ctx.timeoutMs, maxRetries: 0 });
        return { batchId: batch.id, customIds: requests.map((r) => r.custom_id) };
      } catch (error) {
        throw mapSdkError(error, "anthropic", errorClasses, ctx, options.now());
      }
    },
    async collectScreenshotBatch(handle, ctx) {
      const items: ScreenshotAnalysisItem[] = [];
      const usage: Usage[] = [];
      const failed: string[] = [];
      try {
        const batch = await client.messages.batches.retrieve(handle.batchId, {}, { signal: ctx.signal, timeout: ctx.timeoutMs, maxRetries: 0 });
        if (batch.processing_status !== "ended") return undefined;
        const seen = new Set<string>();
        const results = await client.messages.batches.results(handle.batchId, {}, { signal: ctx.signal, timeout: ctx.timeoutMs, maxRetries: 0 });
        for await (const entry of results) {
          seen.add(entry.custom_id);
          // Errored, expired or cancelled entries cost nothing; the job sends those groups again.
          if (entry.result.type !== "succeeded") {
            failed.push(entry.custom_id);
            continue;
          }
          const message = validateOutput(MessageSchema, entry.result.message, "anthropic");
          const billedUsage = usageOf(message, options.models.screenshot, 0, true);
          try {
            const output = validateOutput(ScreenshotAnalysisOutputSchema, toolInput(message, "report_screenshots"), "anthropic");
            items.push(...output.screenshots);
            usage.push({ ...billedUsage, images: output.screenshots.length });
          } catch {
            // Paid for, but unusable: counted, and its group goes again.
            usage.push(billedUsage);
            failed.push(entry.custom_id);
          }
        }
        failed.push(...handle.customIds.filter((id) => !seen.has(id)));
      } catch (error) {
        throw withBilledUsage(mapSdkError(error, "anthropic", errorClasses, ctx, options.now()), usage);
      }
      return { value: items, usage, failed };
    },
    async reviewAudio(context: TimelineContext, ctx) {
      return call("report_audio_review", options.models.screenshot, text(timelinePrompt(context, AUDIO_REVIEW_TASK)), 0, AudioReviewOutputSchema, ctx);
    },
    async chapters(context, ctx) {
      const result = await call("report_chapters", options.models.chapters ?? options.models.summary, text(timelinePrompt(context, CHAPTERS_TASK)), 0, ChaptersOutputSchema, ctx);
      return { value: result.value.chapters, usage: result.usage };
    },
    async summary(context, ctx) {
      return call("report_summary", options.models.summary, text(timelinePrompt(context, SUMMARY_TASK)), 0, SummaryOutputSchema, ctx);
    },
  };
}
