/**
 * The simulated recorder: a {@link RecorderPort} for machines without the Mac
 * recorder (the Node dev host, `stint record`, the tests). It writes real
 * files through the host's file port — decodable PNG screenshots with
 * changing content and deliberate identical / near-identical runs, WAV audio
 * segments — hashes them as it writes, and reports each one to the engine as
 * a `recording.*` notification, exactly as the native recorder does. Time
 * comes from the host's clock and timers, so a simulated clock runs an hour
 * in milliseconds. Faults are injected on demand and counted, so tests can
 * assert that each one was hit.
 */
import type { CaptureSource, PermissionState, RecorderConfig, RecorderPermissions, TimerId } from "../host/index.ts";
import { hostError } from "../host/index.ts";
import { dHash, encodePng } from "../image/index.ts";
import { encodeWav } from "../media/index.ts";
import { audioContentFor, renderAudio } from "./audio.ts";
import { frameSpec, renderFrame, rgbToRgba } from "./frames.ts";
import type { FaultService, RecorderNotification, SimulatedRecorder, SimulatedRecorderDeps, SimulatedRecorderOptions, SimulatedRecorderStats } from "./types.ts";

export type * from "./types.ts";

export { frameSpec, isSceneStart, renderFrame, rgbToRgba, textScale } from "./frames.ts";
export { ACTIVITIES, sceneContent, type SceneContent } from "./scenes.ts";
export { audioContentFor, renderAudio } from "./audio.ts";
export { encodeWav } from "../media/index.ts";
export { charsThatFit, drawText, GLYPH_HEIGHT, GLYPH_WIDTH, textWidth } from "./font.ts";

const DEFAULT_SOURCES = (width: number, height: number): CaptureSource[] => [
  { kind: "display", id: "display-1", name: "Built-in Display", width, height },
  { kind: "display", id: "display-2", name: "External Display", width, height },
  { kind: "window", id: "window-101", name: "notes.md — Editor", appName: "Editor", bundleId: "com.example.editor" },
  { kind: "window", id: "window-102", name: "Inbox — Mail", appName: "Mail", bundleId: "com.apple.mail" },
  { kind: "camera", id: "camera-1", name: "FaceTime HD Camera" },
  { kind: "microphone", id: "mic-1", name: "Built-in Microphone" },
];

export function createSimulatedRecorder(deps: SimulatedRecorderDeps, options: SimulatedRecorderOptions = {}): SimulatedRecorder {
  const now = () => Math.round(deps.clock.now());
  const width = options.width ?? 320;
  const height = options.height ?? 200;
  const sampleRate = options.sampleRate ?? 16_000;
  const seed = options.seed ?? 1;
  const sources = [...DEFAULT_SOURCES(width, height), ...(options.sources ?? [])];
  const permissions: { -readonly [K in keyof RecorderPermissions]: PermissionState } = {
    screen: options.permissions?.screen ?? "granted",
    microphone: options.permissions?.microphone ?? "granted",
    camera: options.permissions?.camera ?? "granted",
  };
  let deliver = options.deliver;
  const stats: SimulatedRecorderStats = {
    screenshots: 0,
    audioSegments: 0,
    videoSegments: 0,
    stalledTicks: 0,
    silentSegments: 0,
    revokedSkips: 0,
    diskFullWrites: 0,
    droppedItems: 0,
    corruptedItems: 0,
    rejected: 0,
    lastRejection: undefined,
  };
  const stalled = new Set<FaultService>();
  const dropCounts: Record<FaultService, number> = { screenshots: 0, audio: 0, video: 0 };
  const corrupt = new Set<FaultService>();
  const failures = new Map<string, string>();
  let silent = false;
  let diskFull = false;

  let config: RecorderConfig | undefined;
  let mode: "idle" | "recording" | "paused" = "idle";
  const timers = new Set<TimerId>();
  const sequence: Record<FaultService, number> = { screenshots: 0, audio: 0, video: 0 };
  let frameIndex = 0;
  let audioIndex = 0;
  let segmentStartedAt = 0;
  let segmentStartedElapsed = 0;
  let videoFrames: Uint8Array[] = [];
  let videoStartedAt = 0;
  let queue: Promise<void> = Promise.resolve();
  let pending = 0;

  const after = (ms: number, run: () => void) => {
    const id = deps.timers.setTimeout(() => {
      timers.delete(id);
      run();
    }, ms);
    timers.add(id);
  };
  const clearAll = () => {
    for (const id of timers) deps.timers.clearTimeout(id);
    timers.clear();
  };
  /** Captures run one after another, as a native capture queue would deliver them. */
  const enqueue = (task: () => Promise<void>) => {
    pending++;
    queue = queue
      .then(task)
      .catch(() => undefined)
      .finally(() => {
        pending--;
      });
  };

  const send = async (method: RecorderNotification["method"], params: Record<string, unknown>) => {
    if (deliver === undefined) return;
    const reply = (await deliver({ v: 1, method, params })) as { error?: { code?: string } } | undefined;
    if (reply?.error !== undefined) {
      stats.rejected++;
      stats.lastRejection = reply.error.code;
    }
  };
  const health = (params: Record<string, unknown>) => send("recording.health", { sessionId: config!.sessionId, at: now(), ...params });

  const blockedBy = (service: FaultService): keyof RecorderPermissions | undefined => {
    if (service === "audio") return config?.audio.microphone && permissions.microphone !== "granted" ? "microphone" : undefined;
    return permissions.screen !== "granted" ? "screen" : undefined;
  };

  /** Writes a capture file; a full disk refuses the write and reports it. */
  const write = async (service: FaultService, name: string, bytes: Uint8Array): Promise<{ path: string; sha256: string; size: number } | undefined> => {
    if (diskFull) {
      stats.diskFullWrites++;
      await health({ kind: "write_failed", service, code: "ENOSPC", message: "no space left on device" });
      await health({ kind: "disk", freeBytes: 0 });
      return undefined;
    }
    const path = `${config!.captureDir}/${name}`;
    await deps.files.writeAtomic(path, bytes, { flushDir: false });
    let sha256 = await deps.crypto.sha256(bytes);
    if (corrupt.delete(service)) {
      stats.corruptedItems++;
      sha256 = sha256.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    }
    return { path, sha256, size: bytes.length };
  };

  /** Common fault handling for one tick; returns the sequence number to use, or undefined to skip. */
  const tick = (service: FaultService): number | undefined => {
    if (stalled.has(service)) {
      stats.stalledTicks++;
      return undefined;
    }
    if (blockedBy(service) !== undefined) {
      stats.revokedSkips++;
      return undefined;
    }
    if (dropCounts[service] > 0) {
      dropCounts[service]--;
      stats.droppedItems++;
      sequence[service]++;
      return undefined;
    }
    return sequence[service]++;
  };

  const captureScreenshot = () => {
    const capturedAt = now();
    const index = frameIndex++;
    const seq = tick("screenshots");
    const wantVideo = config!.video.enabled;
    if (seq === undefined && !wantVideo) return;
    enqueue(async () => {
      const rgb = renderFrame(frameSpec(index), width, height, seed);
      const png = encodePng({ width, height, data: rgb, channels: 3 }, options.zlib === undefined ? {} : { zlib: options.zlib });
      if (wantVideo && options.encodeVideo !== undefined && !stalled.has("video")) videoFrames.push(png);
      if (seq === undefined || !config!.screenshots.enabled) return;
      const written = await write("screenshots", `screenshot-${String(seq).padStart(6, "0")}.png`, png);
      if (written === undefined) return;
      stats.screenshots++;
      await send("recording.screenshot", {
        sessionId: config!.sessionId,
        sequence: seq,
        ...written,
        width,
        height,
        capturedAt,
        mimeType: "image/png",
        sourceId: config!.sources[0]?.id,
        ...(options.perceptualHash === false ? {} : { perceptualHash: dHash({ width, height, data: rgbToRgba(rgb) }) }),
      });
    });
  };

  const scheduleScreenshots = (first: number) => {
    if (!config!.screenshots.enabled && !config!.video.enabled) return;
    const interval = config!.screenshots.enabled ? config!.screenshots.intervalMs : Math.max(500, 1000 / config!.video.fps);
    const loop = () => {
      captureScreenshot();
      after(interval, loop);
    };
    after(first, loop);
  };

  /** Closes the running audio segment (on its boundary, at pause, at stop). */
  const finishAudioSegment = () => {
    const durationMs = Math.round(deps.clock.elapsed() - segmentStartedElapsed);
    const startedAt = segmentStartedAt;
    segmentStartedAt = now();
    segmentStartedElapsed = deps.clock.elapsed();
    if (durationMs < 1) return;
    const index = audioIndex++;
    const seq = tick("audio");
    if (seq === undefined) return;
    const isSilent = silent;
    enqueue(async () => {
      let wav: Uint8Array | undefined;
      let peak: number;
      let rate = sampleRate;
      if (isSilent) {
        stats.silentSegments++;
        const rendered = renderAudio("digital-silence", durationMs, sampleRate, index);
        wav = encodeWav(rendered.samples, sampleRate);
        peak = 0;
      } else {
        const speech = options.speech === undefined ? undefined : await options.speech(index, durationMs).catch(() => undefined);
        if (speech !== undefined) {
          wav = speech;
          rate = new DataView(speech.buffer, speech.byteOffset).getUint32(24, true);
          peak = 0.5;
        } else {
          const rendered = renderAudio(audioContentFor(index), durationMs, sampleRate, index + seed);
          wav = encodeWav(rendered.samples, sampleRate);
          peak = rendered.peak;
        }
      }
      const written = await write("audio", `audio-${String(seq).padStart(6, "0")}.wav`, wav);
      if (written === undefined) return;
      stats.audioSegments++;
      await send("recording.audio", { sessionId: config!.sessionId, sequence: seq, ...written, durationMs, startedAt, mimeType: "audio/wav", sampleRate: rate, channels: 1, peak, source: config!.audio.systemAudio ? "mixed" : "microphone" });
    });
  };

  const scheduleAudio = () => {
    if (!config!.audio.microphone && !config!.audio.systemAudio) return;
    segmentStartedAt = now();
    segmentStartedElapsed = deps.clock.elapsed();
    const loop = () => {
      finishAudioSegment();
      after(config!.audio.segmentMs, loop);
    };
    after(config!.audio.segmentMs, loop);
  };

  const finishVideoSegment = () => {
    if (!config!.video.enabled || options.encodeVideo === undefined) return;
    const startedAt = videoStartedAt;
    videoStartedAt = now();
    const durationMs = Math.round(videoStartedAt - startedAt);
    const seq = tick("video");
    enqueue(async () => {
      const frames = videoFrames;
      videoFrames = [];
      if (seq === undefined || frames.length === 0 || durationMs < 1) return;
      const mp4 = await options.encodeVideo!(frames, durationMs / frames.length);
      if (mp4 === undefined) return;
      const written = await write("video", `video-${String(seq).padStart(6, "0")}.mp4`, mp4);
      if (written === undefined) return;
      stats.videoSegments++;
      await send("recording.video", { sessionId: config!.sessionId, sequence: seq, ...written, durationMs, startedAt, width, height, fps: frames.length / (durationMs / 1000), mimeType: "video/mp4" });
    });
  };

  const scheduleVideo = () => {
    if (!config!.video.enabled || options.encodeVideo === undefined) return;
    videoStartedAt = now();
    const loop = () => {
      finishVideoSegment();
      after(config!.video.segmentSeconds * 1000, loop);
    };
    after(config!.video.segmentSeconds * 1000, loop);
  };

  const scheduleDisk = () => {
    const every = options.diskSampleMs ?? 60_000;
    const loop = () => {
      const freeBytes = diskFull ? 0 : (options.freeBytes ?? 500 * 1024 ** 3);
      enqueue(() => health({ kind: "disk", freeBytes, totalBytes: 1000 * 1024 ** 3 }));
      after(every, loop);
    };
    after(every, loop);
  };

  const beginCapture = () => {
    scheduleScreenshots(0);
    scheduleAudio();
    scheduleVideo();
    scheduleDisk();
  };

  const failIfAsked = (operation: string) => {
    const message = failures.get(operation);
    if (message !== undefined) {
      failures.delete(operation);
      throw hostError("EIO", message);
    }
  };

  return {
    stats,
    connect(next) {
      deliver = next;
    },
    state: () => mode,
    busy: () => pending > 0,
    async start(next) {
      failIfAsked("start");
      if (mode !== "idle") throw hostError("EINVAL", "the recorder is already running");
      config = next;
      await deps.files.mkdirp(next.captureDir);
      sequence.screenshots = sequence.audio = sequence.video = 0;
      frameIndex = 0;
      audioIndex = 0;
      videoFrames = [];
      mode = "recording";
      beginCapture();
    },
    async pause() {
      failIfAsked("pause");
      if (mode !== "recording") throw hostError("EINVAL", "the recorder is not recording");
      clearAll();
      if (config!.audio.microphone || config!.audio.systemAudio) finishAudioSegment();
      finishVideoSegment();
      mode = "paused";
      await queue;
    },
    async resume() {
      failIfAsked("resume");
      if (mode !== "paused") throw hostError("EINVAL", "the recorder is not paused");
      mode = "recording";
      beginCapture();
    },
    async stop() {
      failIfAsked("stop");
      if (mode === "idle") return;
      clearAll();
      if (mode === "recording") {
        if (config!.audio.microphone || config!.audio.systemAudio) finishAudioSegment();
        finishVideoSegment();
      }
      mode = "idle";
      // Resolves only once every captured file is written and reported.
      await queue;
    },
    async addSource(source) {
      if (!sources.some((candidate) => candidate.kind === source.kind && candidate.id === source.id)) throw hostError("ENOENT", `unknown source ${source.id}`);
      if (config !== undefined) config = { ...config, sources: [...config.sources, source] };
    },
    async removeSource(sourceId) {
      if (config !== undefined) config = { ...config, sources: config.sources.filter((source) => source.id !== sourceId) };
    },
    async permissions() {
      return { ...permissions };
    },
    async requestPermission(kind) {
      if (permissions[kind] === "not_determined") permissions[kind] = options.grantOnRequest === false ? "denied" : "granted";
      return permissions[kind];
    },
    async sources() {
      return sources.map((source) => ({ ...source }));
    },
    faults: {
      stall(service, on = true) {
        if (on) stalled.add(service);
        else stalled.delete(service);
      },
      silenceMicrophone(on = true) {
        silent = on;
      },
      revokePermission(kind) {
        permissions[kind] = "denied";
        if (mode !== "idle" && config !== undefined) enqueue(() => health({ kind: "permission", permission: kind, state: "denied" }));
      },
      grantPermission(kind) {
        permissions[kind] = "granted";
        if (mode !== "idle" && config !== undefined) enqueue(() => health({ kind: "permission", permission: kind, state: "granted" }));
      },
      fillDisk(on = true) {
        diskFull = on;
      },
      dropNext(service, count) {
        dropCounts[service] += count;
      },
      corruptNext(service) {
        corrupt.add(service);
      },
      failNext(operation, message = `simulated ${operation} failure`) {
        failures.set(operation, message);
      },
    },
  };
}
