/**
 * The local provider: nothing leaves the machine. It works with whatever the
 * host offers — on-device text recognition (`vision`), transcription
 * (`speech`), a language model (`languageModel`) — plus the session's own
 * timing and markers. Without a language model it is extractive: chapters
 * at real changes of what is on screen, titled after the activity; a
 * summary in plain sentences whose numbers are the session's; tasks and
 * notes from speech and screen text. It reports usage only for work it
 * actually did, so the cost table lists only stages that did something.
 */
import type { HostPort, LanguageModelPort } from "../../host/index.ts";
import type { ProviderName, Usage } from "../types.ts";
import { localChapters } from "./local-chapters.ts";
import { createModelWriter } from "./local-model.ts";
import { readScreen, screenAnalysis } from "./local-screen.ts";
import { localSummary } from "./local-summary.ts";
import { frequencies, NOTE_PATTERN, sentences, TASK_PATTERN, topWords } from "./local-text.ts";
import type { EnrichmentProvider } from "./port.ts";
import type { ScreenshotAnalysisItem } from "./schemas.ts";

export { localChapters } from "./local-chapters.ts";
export { localSummary } from "./local-summary.ts";
export { countOf, spokenDuration } from "./local-text.ts";
export { readScreen, describeActivity } from "./local-screen.ts";

const usageOf = (model: string, extra: Partial<Usage> = {}): Usage[] => [{ provider: "local", model, inputTokens: 0, outputTokens: 0, audioSeconds: 0, images: 0, batch: false, ...extra }];

export interface LocalProviderOptions {
  /** A language model to write chapters and the summary with (default: the host's own). */
  readonly languageModel?: LanguageModelPort;
  /** Who the model's work is billed to in the ledger (at $0). */
  readonly modelProvider?: ProviderName;
  /** Model failures fail the step instead of falling back to extraction. */
  readonly strict?: boolean;
}

export function createLocalProvider(host: HostPort, options: LocalProviderOptions = {}): EnrichmentProvider {
  const speech = host.speech;
  const vision = host.vision;
  const languageModel = options.languageModel ?? host.languageModel;
  const writer = languageModel === undefined ? undefined : createModelWriter(languageModel, host.log, { ...(options.modelProvider === undefined ? {} : { provider: options.modelProvider }), ...(options.strict === undefined ? {} : { strict: options.strict }) });
  return {
    name: "local",
    local: true,
    // Absent without on-device speech: the saga then records no transcription calls at all.
    ...(speech === undefined
      ? {}
      : {
          async transcribe(input) {
            const segments = await speech.transcribe(input.path);
            return {
              value: segments.map((s) => ({ ref: input.ref, tStart: input.tStart + s.startMs, tEnd: Math.min(input.tEnd, input.tStart + s.endMs), text: s.text })),
              usage: usageOf("on-device speech", { audioSeconds: (input.tEnd - input.tStart) / 1000 }),
            };
          },
        }),
    async analyseScreenshots(images) {
      if (vision === undefined) return { value: images.map((image) => ({ ref: image.ref, activity: "", application: "", details: "" })), usage: [] };
      // All at once: the host bounds how many it recognises in parallel.
      const out: ScreenshotAnalysisItem[] = await Promise.all(images.map(async (image) => screenAnalysis(image.ref, readScreen((await vision.recognizeText(image.path)).lines))));
      return { value: out, usage: usageOf("on-device text recognition", { images: images.length }) };
    },
    async reviewAudio(context) {
      const all = sentences(context.transcript);
      return {
        value: { topics: topWords(frequencies(all.map((s) => s.text)), 8), keyPoints: all.filter((s) => NOTE_PATTERN.test(s.text) || TASK_PATTERN.test(s.text)).slice(0, 20).map((s) => ({ text: s.text.slice(0, 1000), evidence: [s.evidence] })) },
        usage: [],
      };
    },
    async chapters(context) {
      const extracted = localChapters(context);
      const written = await writer?.chapters(context, extracted);
      return written ?? { value: extracted, usage: [] };
    },
    async summary(context) {
      const extracted = localSummary(context);
      const written = await writer?.summary(context, extracted);
      return written ?? { value: extracted, usage: [] };
    },
  };
}
