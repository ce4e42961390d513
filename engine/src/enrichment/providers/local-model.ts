/**
 * Writing chapters and the summary with a language model that runs on this
 * machine (the host's `languageModel`, or a local model server behind the
 * same port). The extractive results come first and stay the fallback: the
 * model renames and describes chapters and writes the summary's prose, map
 * over windows that fit its context, then reduce. Tasks, notes and every
 * evidence link stay the extractive ones, so nothing the model says can
 * point at a moment that does not exist.
 */
import * as z from "zod";
import type { LanguageModelPort, LanguageModelStatus, LogPort } from "../../host/index.ts";
import type { ProviderName, Usage } from "../types.ts";
import { methodLine, sourcesOf } from "./local-summary.ts";
import { spokenDuration } from "./local-text.ts";
import type { ProviderResult, TimelineContext } from "./port.ts";
import type { Chapter, SummaryOutput } from "./schemas.ts";

const ChapterNamesSchema = z.object({
  chapters: z.array(z.object({ index: z.number().int().min(0), title: z.string().min(1).max(120), summary: z.string().max(600) })).max(60),
});
const PartialSummarySchema = z.object({ summary: z.string().min(1).max(2000) });
const FinalSummarySchema = z.object({ title: z.string().min(1).max(200), summary: z.string().min(1).max(4000) });

const INSTRUCTIONS =
  "Describe a recorded work session briefly and factually from its screen text and speech. Name things after what was done ('Editing auth middleware in VS Code', 'Call: sprint planning'). Invent nothing. Answer only with the requested JSON.";

/** Rough token count for budgeting (about four characters a token). */
const tokens = (text: string) => Math.ceil(text.length / 4);

/** Splits lines into windows that fit `budget` tokens each. */
export function windows(lines: readonly string[], budget: number): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const line of lines) {
    const cost = tokens(line) + 1;
    if (current.length > 0 && size + cost > budget) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(line.slice(0, budget * 4));
    size += cost;
  }
  if (current.length > 0) out.push(current);
  return out;
}

const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h > 0 ? `${h}:` : ""}${String(m).padStart(h > 0 ? 2 : 1, "0")}:${String(s % 60).padStart(2, "0")}`;
};

export interface ModelWriter {
  chapters(context: TimelineContext, extracted: readonly Chapter[]): Promise<ProviderResult<Chapter[]> | undefined>;
  summary(context: TimelineContext, extracted: SummaryOutput): Promise<ProviderResult<SummaryOutput> | undefined>;
}

export interface ModelWriterOptions {
  /** Who is billed in the ledger (always $0 for local models). */
  readonly provider?: ProviderName;
  /** Let failures through instead of keeping the extracted results (the user chose this model). */
  readonly strict?: boolean;
}

/** Answers that do not match the schema are asked again this many times, with what was wrong. */
export const MAX_REASKS = 2;

/** A writer over a language model; every method resolves undefined when the model is unavailable or fails. */
export function createModelWriter(model: LanguageModelPort, log?: LogPort, options: ModelWriterOptions = {}): ModelWriter {
  let status: Promise<LanguageModelStatus | undefined> | undefined;
  const ready = () => (status ??= model.status().then((s) => (s.available ? s : undefined), (error: unknown) => (options.strict === true ? Promise.reject(error) : undefined)));
  const provider = options.provider ?? "local";

  async function ask<T>(schema: z.ZodType<T>, prompt: string, usage: Usage[], name: string): Promise<T> {
    const current = (await ready())!;
    const jsonSchema = z.toJSONSchema(schema) as Record<string, unknown>;
    let request = prompt;
    for (let attempt = 0; ; attempt++) {
      let problem: string;
      try {
        const result = await model.generate({ instructions: INSTRUCTIONS, prompt: request, schema: jsonSchema, maxOutputTokens: 1200 });
        usage.push({ provider, model: current.model, inputTokens: result.inputTokens ?? tokens(INSTRUCTIONS + request), outputTokens: result.outputTokens ?? 0, audioSeconds: 0, images: 0, batch: false });
        const parsed = schema.safeParse(result.json);
        if (parsed.success) return parsed.data;
        problem = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "answer"}: ${i.message}`).join("; ");
      } catch (error) {
        if ((error as { code?: string }).code !== "invalid_output") throw error;
        problem = error instanceof Error ? error.message : String(error);
      }
      if (attempt >= MAX_REASKS) throw new Error(`${name}: the model's answer does not match the schema after ${attempt + 1} tries (${problem})`);
      log?.write("info", "re-asking the model", { step: name, attempt: attempt + 1 });
      request = `${prompt}\n\nYour previous answer was not valid (${problem.slice(0, 300)}). Answer again with JSON that matches the schema exactly.`;
    }
  }

  const budgetOf = (s: LanguageModelStatus) => Math.max(256, Math.floor(s.contextTokens * 0.5) - tokens(INSTRUCTIONS) - 300);

  return {
    async chapters(context, extracted) {
      const current = await ready();
      if (current === undefined || extracted.length === 0) return undefined;
      const usage: Usage[] = [];
      try {
        const lines = extracted.map((c, i) => `${i}. [${clock(c.tStart)}–${clock(c.tEnd)}] ${c.title}: ${c.summary}`);
        const named = new Map<number, { title: string; summary: string }>();
        for (const window of windows(lines, budgetOf(current))) {
          const answer = await ask(ChapterNamesSchema, `Give each chapter below a short title (at most 8 words) naming what was done, and a one-sentence summary. Keep each index.\n\n${window.join("\n")}`, usage, "chapters");
          for (const c of answer.chapters) if (c.index < extracted.length) named.set(c.index, { title: c.title, summary: c.summary });
        }
        return { value: extracted.map((c, i) => ({ ...c, ...(named.get(i) ?? {}) })), usage };
      } catch (error) {
        if (options.strict === true) throw error;
        log?.write("warn", "model failed; extracted chapters kept", { error: String(error) });
        return usage.length === 0 ? undefined : { value: [...extracted], usage };
      }
    },
    async summary(context, extracted) {
      const current = await ready();
      if (current === undefined) return undefined;
      const usage: Usage[] = [];
      try {
        const chapters = context.chapters ?? [];
        const said = context.transcript.filter((s) => s.text.trim() !== "").map((s) => `[${clock(s.tStart)}] said: ${s.text}`);
        const lines = [...chapters.map((c) => `[${clock(c.tStart)}–${clock(c.tEnd)}] ${c.title}: ${c.summary}`), ...said];
        const parts: string[] = [];
        for (const window of windows(lines, budgetOf(current))) {
          parts.push((await ask(PartialSummarySchema, `Summarise this part of a work session in two or three plain sentences.\n\n${window.join("\n")}`, usage, "summary part")).summary);
        }
        const facts = `The session lasted ${spokenDuration(context.durationMs)} and has ${context.screenshotTotal ?? context.screenshots.length} screenshots and ${context.markers.length} markers.`;
        const final = await ask(FinalSummarySchema, `${facts}\nWrite a title (at most 10 words) and a summary of three to five plain sentences of the whole session from these notes. Use no other numbers than the ones given here.\n\n${parts.join("\n")}`, usage, "summary");
        const taskLine = extracted.tasks.length === 0 ? "No tasks found." : "";
        return {
          value: { ...extracted, title: final.title, summary: [final.summary, taskLine, methodLine(sourcesOf(context), current.model)].filter((s) => s !== "").join(" ").slice(0, 8000) },
          usage,
        };
      } catch (error) {
        if (options.strict === true) throw error;
        log?.write("warn", "model failed; extracted summary kept", { error: String(error) });
        return usage.length === 0 ? undefined : { value: extracted, usage };
      }
    },
  };
}
