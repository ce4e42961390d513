import type { CostEstimate, JobRecord } from "../../src/enrichment/index.ts";
import { requirePositionals, stringFlag } from "../args.ts";
import { CommandFailure, UsageError, type Command, type CommandContext } from "./command.ts";
import { callEngine, formatUsd } from "./enrichment-support.ts";

const PROVIDERS = ["local", "anthropic", "openai", "local-server"] as const;
const TERMINAL = new Set(["completed", "failed", "cancelled"]);

function options(context: CommandContext) {
  const { args } = context;
  const provider = stringFlag(args, "provider");
  if (provider !== undefined && !(PROVIDERS as readonly string[]).includes(provider)) throw new UsageError(`--provider must be one of ${PROVIDERS.join(", ")}`);
  const audio = stringFlag(args, "audio-provider");
  if (audio !== undefined && audio !== "local" && audio !== "openai") throw new UsageError("--audio-provider must be local or openai");
  const serverUrl = stringFlag(args, "server-url");
  const model = stringFlag(args, "model");
  if ((serverUrl !== undefined || model !== undefined) && provider !== "local-server") throw new UsageError("--server-url and --model go with --provider local-server");
  const maxCostText = stringFlag(args, "max-cost");
  const maxCost = maxCostText === undefined ? undefined : Number(maxCostText.replace(/^\$/, ""));
  if (maxCost !== undefined && (!Number.isFinite(maxCost) || maxCost < 0)) throw new UsageError(`--max-cost must be an amount in USD, not "${maxCostText}"`);
  return {
    ...(provider === undefined ? {} : { provider }),
    ...(maxCost === undefined ? {} : { maxCost }),
    ...(serverUrl === undefined ? {} : { localServerUrl: serverUrl }),
    ...(model === undefined ? {} : { summaryModel: model, screenshotModel: model, chaptersModel: model }),
    ...(audio === undefined ? {} : { transcriptionProvider: audio }),
    ...(args.flags["no-batch"] === true ? { allowBatch: false } : {}),
    ...(args.flags["keep-screenshots-local"] === true ? { keepScreenshotsLocal: true } : {}),
    ...(args.flags["send-unread-screenshots"] === true ? { allowUnreadScreenshots: true } : {}),
    ...(args.flags["redact-emails"] === true ? { redactEmails: true } : {}),
  };
}

function printEstimate(context: CommandContext, estimate: CostEstimate): void {
  const { out } = context;
  out.line(`Estimate with ${estimate.provider} (${estimate.models.screenshot} for screenshots, ${estimate.models.summary} for the summary${estimate.models.transcription ? `, ${estimate.models.transcription} for audio` : ""}):`);
  out.line(`  audio        ${formatUsd(estimate.stages.audio).padStart(9)}  ${estimate.audioMinutes} min`);
  out.line(`  screenshots  ${formatUsd(estimate.stages.screenshots).padStart(9)}  ${estimate.screenshotsToAnalyse} analysed, ~${estimate.imageTokensEach} tokens each`);
  out.line(`  chapters     ${formatUsd(estimate.stages.chapters).padStart(9)}`);
  out.line(`  summary      ${formatUsd(estimate.stages.summary).padStart(9)}`);
  out.line(`  total        ${formatUsd(estimate.totalUsd).padStart(9)}`);
  if (estimate.provider !== "local" && estimate.screenshotsToAnalyse === 0) {
    out.line("  Screenshots stay on this machine: kept local, or it cannot read them to black out secrets first (--send-unread-screenshots sends them anyway).");
  }
}

type Engine = Awaited<ReturnType<CommandContext["openEngine"]>>;

/** Follows a queued job to its end, printing progress; fails the command unless it completed. */
async function follow(context: CommandContext, engine: Engine, start: () => Promise<JobRecord>): Promise<number> {
  const { out } = context;
  let done: (job: JobRecord) => void = () => {};
  let fail: (error: unknown) => void = () => {};
  const finished = new Promise<JobRecord>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  let jobId: string | undefined;
  const off = engine.subscribe((event) => {
    if (!event.method.startsWith("enrichment.job.")) return;
    const params = event.params as { jobId: string; status: JobRecord["status"]; stage: string; progress: number; retryInMs?: number; error?: { message: string } };
    if (jobId === undefined) return;
    if (params.jobId !== jobId) return;
    if (params.retryInMs !== undefined) out.notice(`retrying in ${Math.round(params.retryInMs / 1000)} s: ${params.error?.message ?? "transient error"}`);
    if (!TERMINAL.has(params.status)) out.progress({ stage: params.stage, fraction: params.progress });
  });
  try {
    const job = await start();
    jobId = job.id;
    out.line(`Enriching ${job.sessionId} (job ${job.id})${job.options.provider ? ` with ${job.options.provider}` : ""}.`);
    const poll = async () => {
      for (;;) {
        const { job: current } = await callEngine<{ job: JobRecord }>(engine, "enrichment.status", { jobId });
        if (TERMINAL.has(current.status)) return done(current);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    // A failed poll fails this command, never the process it runs in (the owner, when forwarded).
    void poll().catch((error: unknown) =>
      fail((error as { code?: unknown } | undefined)?.code === "enrichment.job_not_found" ? new CommandFailure("the session was deleted while it was being enriched") : error),
    );
    const result = await finished;
    out.endProgress();
    if (result.status !== "completed") {
      out.json({ job: result });
      const hint =
        result.stage === "stopped-at-cap"
          ? `Raise the cap (--max-cost) or the monthly budget, then run \`stint retry ${result.id}\`: completed steps are not paid again.`
          : result.status === "failed"
            ? `Fix the cause and run \`stint retry ${result.id}\` (or \`stint enrich ${result.sessionId}\`): it resumes where it stopped, and completed steps are not paid again.`
            : undefined;
      throw new CommandFailure(`enrichment ${result.stage === "stopped-at-cap" ? "stopped at cap" : result.status}: ${result.lastError?.message ?? "no reason given"}`, hint);
    }
    const summary = await callEngine<{ job: JobRecord }>(engine, "enrichment.status", { jobId });
    out.line(`Done: ${formatUsd(result.cost.actualUsd)} spent${result.cost.estimatedUsd === undefined ? "" : ` (estimated ${formatUsd(result.cost.estimatedUsd)})`}${result.redactions > 0 ? `, ${result.redactions} secrets redacted before sending` : ""}. See \`stint show ${result.sessionId}\`.`);
    out.json({ job: summary.job });
    return 0;
  } finally {
    off();
  }
}

async function enrich(context: CommandContext): Promise<number> {
  const sessionId = requirePositionals(context.args, ["id"])[0]!;
  const jobOptions = options(context);
  const engine = await context.openEngine({ background: true });
  if (context.args.flags.estimate === true) {
    const { estimate } = await callEngine<{ estimate: CostEstimate }>(engine, "enrichment.estimate", { sessionId, ...jobOptions });
    printEstimate(context, estimate);
    context.out.json({ sessionId, estimate });
    return 0;
  }
  return follow(context, engine, async () => (await callEngine<{ job: JobRecord }>(engine, "enrichment.enqueue", { sessionId, priority: "high", ...jobOptions })).job);
}

async function retry(context: CommandContext): Promise<number> {
  const jobId = requirePositionals(context.args, ["jobId"])[0]!;
  const engine = await context.openEngine({ background: true });
  return follow(context, engine, async () => (await callEngine<{ job: JobRecord }>(engine, "enrichment.retry", { jobId })).job);
}

export const retryCommand: Command = {
  name: "retry",
  summary: "Resume a failed or cancelled enrichment job from where it stopped, paying for no completed step again",
  usage: "stint retry <jobId> [--json]",
  flags: {},
  run: retry,
};

export const enrichCommand: Command = {
  name: "enrich",
  summary: "Enrich a session: transcript, screenshots, chapters, summary, tasks and notes",
  usage: "stint enrich <id> [--provider local|anthropic|openai|local-server] [--server-url URL] [--model NAME] [--audio-provider local|openai] [--max-cost USD] [--estimate] [--no-batch] [--keep-screenshots-local] [--send-unread-screenshots] [--redact-emails] [--json]",
  flags: {
    provider: { type: "string", description: "local (no network), anthropic, openai or local-server (Ollama, LM Studio, llama.cpp on this machine); default: the saved setting, else the provider whose key is set" },
    "server-url": { type: "string", description: "Base URL of the local model server (default $STINT_LOCAL_SERVER_URL, else Ollama at http://127.0.0.1:11434/v1)" },
    model: { type: "string", description: "Model on the local server (default: the first it lists)" },
    "audio-provider": { type: "string", description: "Who transcribes audio: local (on-device speech) or openai; default: the provider itself when it can, else local" },
    "max-cost": { type: "string", description: "Refuse before spending anything if the estimate is above this (USD)" },
    estimate: { type: "boolean", description: "Print the per-stage cost estimate and spend nothing" },
    "no-batch": { type: "boolean", description: "Do not use the slower, cheaper Message Batches API" },
    "keep-screenshots-local": { type: "boolean", description: "Never send a screenshot to a cloud provider" },
    "send-unread-screenshots": { type: "boolean", description: "Send screenshots even where this machine cannot read them to black out secrets first" },
    "redact-emails": { type: "boolean", description: "Also redact email addresses before sending" },
  },
  run: enrich,
};
