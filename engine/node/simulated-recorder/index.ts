/**
 * The simulated recorder for the Node host: the platform-neutral recorder
 * (`engine/src/simulated-recorder`) plus what only Node can add —
 * real speech through espeak-ng and H.264 video segments through ffmpeg,
 * each used only when the tool is installed.
 *
 * The recorder needs the host's files, timers and clock, and the host needs
 * the recorder, so it is created unbound: pass `recorder` to `createNodeHost`,
 * then `bind(host, engine)` once the engine exists.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { deflateSync } from "node:zlib";
import type { Caller } from "../../src/bridge/index.ts";
import type { HostPort, RecorderPort } from "../../src/host/index.ts";
import { createSimulatedRecorder, renderAudio, encodeWav, type SimulatedRecorder, type SimulatedRecorderOptions } from "../../src/simulated-recorder/index.ts";

export { createWarpedTime, type WarpedTime, type WarpedTimeOptions } from "./warped-time.ts";

const run = promisify(execFile);

/** Whether a command-line tool is on the PATH. */
export function hasTool(name: string): boolean {
  try {
    // ffmpeg spells it -version; the others --version.
    execFileSync(name, [name.startsWith("ff") ? "-version" : "--version"], { stdio: "ignore", timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

const LINES = [
  "Let's start with the quarterly numbers.",
  "I need to follow up with the design team about the onboarding screens.",
  "Remind me to send the invoice on Friday.",
  "This function should validate the session id before using it as a path.",
  "Okay, the build is green, moving on to the review.",
  "Note to self: the cache eviction is still too aggressive.",
];

/** Speech for one segment: espeak-ng's voice padded with quiet room tone to the segment's length. */
export function createEspeakSpeech(): (index: number, durationMs: number) => Promise<Uint8Array | undefined> {
  return async (index, durationMs) => {
    const dir = mkdtempSync(join(tmpdir(), "stint-speech-"));
    try {
      const file = join(dir, "speech.wav");
      await run("espeak-ng", ["-w", file, LINES[index % LINES.length]!], { timeout: 10_000 });
      const bytes = new Uint8Array(readFileSync(file));
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const sampleRate = view.getUint32(24, true);
      let at = 12;
      while (at + 8 <= bytes.length && String.fromCharCode(...bytes.subarray(at, at + 4)) !== "data") at += 8 + view.getUint32(at + 4, true);
      const speech = new Int16Array(bytes.slice(at + 8).buffer, 0, Math.floor((bytes.length - at - 8) / 2));
      const room = renderAudio("room", durationMs, sampleRate, index).samples;
      room.set(speech.subarray(0, room.length));
      return encodeWav(room, sampleRate);
    } catch {
      return undefined;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** H.264 segments through ffmpeg from the recorder's PNG frames. */
export function createFfmpegVideo(): (frames: readonly Uint8Array[], frameDurationMs: number) => Promise<Uint8Array | undefined> {
  return async (frames, frameDurationMs) => {
    const dir = mkdtempSync(join(tmpdir(), "stint-video-"));
    try {
      frames.forEach((frame, i) => writeFileSync(join(dir, `${String(i).padStart(6, "0")}.png`), frame));
      const rate = (1000 / Math.max(1, frameDurationMs)).toFixed(4);
      const out = join(dir, "segment.mp4");
      await run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-framerate", rate, "-i", join(dir, "%06d.png"), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-movflags", "+faststart", out], {
        timeout: 60_000,
      });
      return readdirSync(dir).includes("segment.mp4") ? new Uint8Array(readFileSync(out)) : undefined;
    } catch {
      return undefined;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

export interface NodeSimulatedRecorderOptions extends SimulatedRecorderOptions {
  /** Use espeak-ng for speech when installed (default true). */
  readonly speechTool?: boolean;
  /** Use ffmpeg for H.264 video segments when installed (default true). */
  readonly videoTool?: boolean;
}

export interface NodeSimulatedRecorder {
  /** Hand this to `createNodeHost({ recorder })`. */
  readonly recorder: RecorderPort;
  /** Creates the recorder over the host and routes its notifications to the engine. */
  bind(host: Pick<HostPort, "files" | "timers" | "clock" | "crypto">, engine: { handle(message: unknown, caller?: Caller): Promise<unknown> }): SimulatedRecorder;
  /** The bound recorder (faults, stats), once `bind` ran. */
  current(): SimulatedRecorder | undefined;
}

export function createNodeSimulatedRecorder(options: NodeSimulatedRecorderOptions = {}): NodeSimulatedRecorder {
  let inner: SimulatedRecorder | undefined;
  const must = (): SimulatedRecorder => {
    if (inner === undefined) throw new Error("the simulated recorder is not bound to a host yet");
    return inner;
  };
  const recorder: RecorderPort = {
    start: (config) => must().start(config),
    pause: () => must().pause(),
    resume: () => must().resume(),
    stop: () => must().stop(),
    addSource: (source) => must().addSource(source),
    removeSource: (id) => must().removeSource(id),
    permissions: () => must().permissions(),
    requestPermission: (kind) => must().requestPermission(kind),
    sources: () => must().sources(),
  };
  return {
    recorder,
    bind(host, engine) {
      inner = createSimulatedRecorder(host, {
        width: 640,
        height: 400,
        zlib: (raw) => new Uint8Array(deflateSync(raw, { level: 6 })),
        ...options,
        ...(options.speechTool !== false && options.speech === undefined && hasTool("espeak-ng") ? { speech: createEspeakSpeech() } : {}),
        ...(options.videoTool !== false && options.encodeVideo === undefined && hasTool("ffmpeg") ? { encodeVideo: createFfmpegVideo() } : {}),
        deliver: (message) => engine.handle(message, "recorder"),
      });
      return inner;
    },
    current: () => inner,
  };
}
