import * as z from "zod";
import { EvidenceSchema } from "../types.ts";

/**
 * Structured outputs every provider must return. Each is sent to the cloud
 * providers as a JSON schema (Anthropic tool `input_schema`, OpenAI
 * `json_schema` response format) and every answer is validated against the
 * same zod schema. Every field is required so OpenAI's strict mode accepts it.
 */
export const ScreenshotAnalysisItemSchema = z.object({
  ref: z.string().min(1).max(200),
  activity: z.string().max(300),
  application: z.string().max(120),
  details: z.string().max(2000),
});
export type ScreenshotAnalysisItem = z.infer<typeof ScreenshotAnalysisItemSchema>;
export const ScreenshotAnalysisOutputSchema = z.object({ screenshots: z.array(ScreenshotAnalysisItemSchema).max(50) });

export const AudioReviewOutputSchema = z.object({
  topics: z.array(z.string().max(200)).max(30),
  keyPoints: z.array(z.object({ text: z.string().max(1000), evidence: z.array(EvidenceSchema).max(10) })).max(50),
});
export type AudioReview = z.infer<typeof AudioReviewOutputSchema>;

export const ChapterSchema = z.object({
  title: z.string().min(1).max(200),
  summary: z.string().max(2000),
  tStart: z.number().min(0),
  tEnd: z.number().min(0),
  evidence: z.array(EvidenceSchema).max(20),
});
export type Chapter = z.infer<typeof ChapterSchema>;
export const ChaptersOutputSchema = z.object({ chapters: z.array(ChapterSchema).max(100) });

export const SummaryPointSchema = z.object({ text: z.string().min(1).max(2000), evidence: z.array(EvidenceSchema).max(20) });
export const TaskSchema = z.object({
  title: z.string().min(1).max(500),
  priority: z.enum(["low", "medium", "high"]),
  evidence: z.array(EvidenceSchema).max(20),
});
export const NoteSchema = z.object({ text: z.string().min(1).max(4000), evidence: z.array(EvidenceSchema).max(20) });
export const SummaryOutputSchema = z.object({
  title: z.string().max(300),
  summary: z.string().max(8000),
  points: z.array(SummaryPointSchema).max(50),
  tasks: z.array(TaskSchema).max(100),
  notes: z.array(NoteSchema).max(100),
});
export type SummaryOutput = z.infer<typeof SummaryOutputSchema>;
export type Task = z.infer<typeof TaskSchema>;
export type Note = z.infer<typeof NoteSchema>;

/** A transcribed stretch of one audio segment, session-relative milliseconds. */
export const TranscriptSegmentSchema = z.object({
  ref: z.string(),
  tStart: z.number().min(0),
  tEnd: z.number().min(0),
  text: z.string(),
});
export type TranscriptSegment = z.infer<typeof TranscriptSegmentSchema>;

/** The tools / response formats, by the name the providers see. */
export const STRUCTURED_OUTPUTS = {
  report_screenshots: { schema: ScreenshotAnalysisOutputSchema, description: "Report what each screenshot shows." },
  report_audio_review: { schema: AudioReviewOutputSchema, description: "Report the topics and key points of the transcript." },
  report_chapters: { schema: ChaptersOutputSchema, description: "Report the chapters of the work session." },
  report_summary: { schema: SummaryOutputSchema, description: "Report the summary, tasks and notes of the work session." },
} as const;
export type StructuredOutputName = keyof typeof STRUCTURED_OUTPUTS;

const jsonSchemaCache = new Map<string, Record<string, unknown>>();

/** The JSON schema of a structured output, without the `$schema` key (providers reject it). */
export function jsonSchemaFor(name: StructuredOutputName): Record<string, unknown> {
  const cached = jsonSchemaCache.get(name);
  if (cached !== undefined) return cached;
  const { $schema: _ignored, ...schema } = z.toJSONSchema(STRUCTURED_OUTPUTS[name].schema) as Record<string, unknown>;
  jsonSchemaCache.set(name, schema);
  return schema;
}
