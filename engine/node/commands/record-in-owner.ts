import type { Engine } from "../../src/engine/index.ts";
import type { IntegrityReport, SessionStateEvent } from "../../src/session/index.ts";
import { parseDuration, stringFlag } from "../args.ts";
import { CommandFailure, UsageError, type CommandContext } from "./command.ts";

async function call<T>(engine: Engine, method: string, params: unknown = {}): Promise<T> {
  const reply = (await engine.handle({ v: 1, id: method, method, params })) as { result?: T; error?: { code: string; message: string } } | undefined;
  if (reply?.error !== undefined) throw new CommandFailure(`${method}: ${reply.error.message}`, reply.error.code === "session.invalid_transition" ? "a recording is already running in the data folder's owner" : undefined);
  return reply?.result as T;
}

/**
 * `stint record` sent to the running owner of the data folder: it records with
 * the owner's recorder in real time, so the owner's panel sees the session as
 * it is made. Warped time and injected faults need the folder to themselves.
 */
export async function recordInOwner(context: CommandContext): Promise<number> {
  const { args, out } = context;
  for (const flag of ["speed", "fault"]) {
    if (args.flags[flag] !== undefined && !(flag === "speed" && args.flags[flag] === "1")) throw new UsageError(`--${flag} is not available while another process owns the data folder; record from its panel or stop it`);
  }
  const durationFlag = stringFlag(args, "duration");
  if (durationFlag === undefined) throw new UsageError("--duration is needed while another process owns the data folder (Ctrl-C cannot reach it)");
  const durationMs = parseDuration(durationFlag, "duration");
  if (durationMs <= 0) throw new UsageError("--duration must be longer than zero");
  const intervalMs = parseDuration(stringFlag(args, "screenshot-interval") ?? "5s", "screenshot-interval");
  const segmentMs = parseDuration(stringFlag(args, "audio-segment") ?? "30s", "audio-segment");
  const name = stringFlag(args, "name");
  const engine = await context.openEngine({ recorder: "simulated" });
  const started = await call<SessionStateEvent>(engine, "session.start", {
    ...(name === undefined ? {} : { name }),
    screenshots: { enabled: true, intervalMs },
    audio: { microphone: args.flags["no-audio"] !== true, systemAudio: false, balance: 0.5, segmentMs },
    video: { enabled: args.flags.video === true, fps: 2, segmentSeconds: 10 },
  });
  out.line(`Recording "${started.name}" (${started.sessionId}) in the data folder's owner. Ends after ${Math.round(durationMs / 1000)} s.`);
  await new Promise<void>((done) => setTimeout(done, durationMs));
  const ended = await call<{ sessionId: string; status: string; integrity?: IntegrityReport }>(engine, "session.end");
  const report = ended.integrity;
  if (report !== undefined) {
    const { screenshots, audio } = report.sources;
    out.line(`Session ${ended.sessionId} ${ended.status}: ${screenshots.items} screenshots, ${audio.items} audio segments; integrity ${report.status}.`);
  }
  out.json({ sessionId: ended.sessionId, status: ended.status });
  return 0;
}
