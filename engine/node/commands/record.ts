import type { EngineEventMessage } from "../../src/host/index.ts";
import { createEngine, type Engine } from "../../src/engine/index.ts";
import { PRODUCT_FEATURES } from "../../src/product/index.ts";
import type { CaptureHealthEvent, IntegrityReport, SessionStateEvent } from "../../src/session/index.ts";
import { parseDuration, stringFlag } from "../args.ts";
import { createNodeCapabilities } from "../capabilities.ts";
import { createNodeHost } from "../node-host.ts";
import { createNodeSimulatedRecorder, createWarpedTime } from "../simulated-recorder/index.ts";
import { CommandFailure, UsageError, type Command, type CommandContext } from "./command.ts";
import { recordInOwner } from "./record-in-owner.ts";

const FAULTS = ["stall", "silent-mic", "full-disk", "revoke-screen", "drops"] as const;
type FaultName = (typeof FAULTS)[number];

function parseFaults(value: string | undefined): FaultName[] {
  if (value === undefined) return [];
  const names = value.split(",").map((name) => name.trim()).filter((name) => name !== "");
  for (const name of names) if (!(FAULTS as readonly string[]).includes(name)) throw new UsageError(`--fault: unknown fault "${name}" (one of ${FAULTS.join(", ")})`);
  return names as FaultName[];
}

function parseSpeed(value: string | undefined): number | "max" {
  if (value === undefined) return 1;
  if (value === "max") return "max";
  const speed = Number(value);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 100_000) throw new UsageError(`--speed must be "max" or a number above 0, not "${value}"`);
  return speed;
}

async function call<T>(engine: Engine, method: string, params: unknown = {}): Promise<T> {
  const reply = (await engine.handle({ v: 1, id: method, method, params }, "command")) as { result?: T; error?: { code: string; message: string } } | undefined;
  if (reply?.error !== undefined) throw new CommandFailure(`${method}: ${reply.error.message}`, reply.error.code === "session.invalid_config" ? "check the flags" : undefined);
  return reply?.result as T;
}

function formatMs(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

async function record(context: CommandContext): Promise<number> {
  if (context.forwarded === true) return recordInOwner(context);
  const { args, out } = context;
  const name = stringFlag(args, "name");
  const durationFlag = stringFlag(args, "duration");
  const durationMs = durationFlag === undefined ? undefined : parseDuration(durationFlag, "duration");
  const intervalMs = parseDuration(stringFlag(args, "screenshot-interval") ?? "5s", "screenshot-interval");
  const segmentMs = parseDuration(stringFlag(args, "audio-segment") ?? "30s", "audio-segment");
  const speed = parseSpeed(stringFlag(args, "speed"));
  const faults = parseFaults(stringFlag(args, "fault"));
  if (faults.length > 0 && durationMs === undefined) throw new UsageError("--fault needs --duration");
  if (speed === "max" && durationMs === undefined) throw new UsageError("--speed max needs --duration");
  if (durationMs !== undefined && durationMs <= 0) throw new UsageError("--duration must be longer than zero");

  const simulated = createNodeSimulatedRecorder({ videoTool: args.flags.video === true, speechTool: args.flags["no-speech"] !== true });
  const time = createWarpedTime({ speed, busy: () => simulated.current()?.busy() ?? false });
  const warnings: CaptureHealthEvent[] = [];
  const onEvent = (event: EngineEventMessage) => {
    if (event.method !== "capture.health") return;
    const health = event.params as CaptureHealthEvent;
    if (health.resolved) return;
    warnings.push(health);
    out.notice(`capture health (${health.severity}): ${health.message}`);
  };
  // Media (ffmpeg) as every command gets it; the recorder is this command's own, on warped time.
  const { bind: _unused, ...extras } = await createNodeCapabilities({ dataDir: context.dataDir, recorder: "none", env: context.env });
  const host = {
    ...createNodeHost({ dataDir: context.dataDir, env: context.env, echoLogs: context.verbose, logLevel: context.verbose ? "debug" : "info", onEvent, ...extras, recorder: simulated.recorder }),
    clock: time.clock,
    timers: time.timers,
  };
  let engine: Engine | undefined;
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    wake?.();
  };
  let wake: (() => void) | undefined;
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    // Ending the session queues its enrichment; `stint enrich` or the dev host runs it.
    engine = await createEngine(host, PRODUCT_FEATURES, { background: false });
    simulated.bind(host, engine);
    const started = await call<SessionStateEvent>(engine, "session.start", {
      ...(name === undefined ? {} : { name }),
      screenshots: { enabled: true, intervalMs },
      audio: { microphone: args.flags["no-audio"] !== true, systemAudio: false, balance: 0.5, segmentMs },
      video: { enabled: args.flags.video === true, fps: 2, segmentSeconds: 10 },
    });
    const sessionId = started.sessionId!;
    out.line(`Recording "${started.name}" (${sessionId})${speed === 1 ? "" : ` at ${speed === "max" ? "maximum" : `${speed}×`} speed`}. ${durationMs === undefined ? "Press Ctrl-C to end." : `Ends after ${formatMs(durationMs)}.`}`);
    const startedAt = time.clock.elapsed();
    if (faults.length > 0 && durationMs !== undefined) {
      // Faults start a third of the way in; stalls and a full disk clear at two thirds, to show recovery too.
      const recorder = simulated.current()!;
      time.timers.setTimeout(() => {
        for (const fault of faults) {
          if (fault === "stall") recorder.faults.stall("screenshots");
          else if (fault === "silent-mic") recorder.faults.silenceMicrophone();
          else if (fault === "full-disk") recorder.faults.fillDisk();
          else if (fault === "revoke-screen") recorder.faults.revokePermission("screen");
          else recorder.faults.dropNext("screenshots", Math.max(2, Math.ceil(durationMs / intervalMs / 10)));
        }
      }, durationMs / 3);
      time.timers.setTimeout(() => {
        if (faults.includes("stall")) recorder.faults.stall("screenshots", false);
        if (faults.includes("full-disk")) recorder.faults.fillDisk(false);
      }, (durationMs * 2) / 3);
    }
    await new Promise<void>((resolve) => {
      wake = resolve;
      const step = durationMs === undefined ? 1000 : Math.max(250, durationMs / 100);
      const tick = () => {
        const elapsed = time.clock.elapsed() - startedAt;
        if (interrupted || (durationMs !== undefined && elapsed >= durationMs)) {
          resolve();
          return;
        }
        if (durationMs !== undefined) out.progress({ stage: "recording", fraction: elapsed / durationMs, detail: formatMs(elapsed) });
        time.timers.setTimeout(tick, Math.min(step, durationMs === undefined ? step : durationMs - elapsed));
      };
      time.timers.setTimeout(tick, 0);
    });
    out.endProgress();
    const ended = await call<{ sessionId: string; status: string; integrity?: IntegrityReport }>(engine, "session.end");
    const report = ended.integrity;
    if (report !== undefined) {
      const { screenshots, audio, video } = report.sources;
      out.line(
        `Session ${ended.sessionId} ${ended.status}: ${formatMs(report.activeMs)} recorded, ${screenshots.items} screenshots (${screenshots.duplicates} duplicates), ${audio.items} audio segments${video.items > 0 ? `, ${video.items} video segments` : ""}; integrity ${report.status}${warnings.length > 0 ? `, ${warnings.length} health warnings` : ""}.`,
      );
    }
    out.json({ sessionId: ended.sessionId, status: ended.status });
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await engine?.stop();
    time.dispose();
  }
}

export const recordCommand: Command = {
  name: "record",
  summary: "Record a simulated session from start to end and print its id",
  usage: "stint record [--name N] [--duration 30m] [--screenshot-interval 5s] [--audio-segment 30s] [--no-audio] [--video] [--speed max|N] [--fault F,…] [--json]",
  flags: {
    name: { type: "string", description: "Session name (default: the date and time)" },
    duration: { type: "string", description: "How long to record (30s, 5m, 1h); default until Ctrl-C" },
    "screenshot-interval": { type: "string", description: "Time between screenshots (default 5s)" },
    "audio-segment": { type: "string", description: "Length of each audio segment (default 30s)" },
    "no-audio": { type: "boolean", description: "Record no microphone audio" },
    "no-speech": { type: "boolean", description: "Synthetic tones instead of espeak-ng speech" },
    video: { type: "boolean", description: "Also write H.264 video segments (needs ffmpeg)" },
    speed: { type: "string", description: 'Virtual time speed: a factor (60 = a minute a second) or "max"' },
    fault: { type: "string", description: `Inject faults a third of the way in: ${FAULTS.join(", ")} (comma-separated)` },
  },
  run: record,
};
