/**
 * One recording session while it runs: accepts the recorder's items (verify
 * the digest, perceptual hash and dedup, adopt the file into storage, append
 * the item), keeps per-service metrics and drives the health monitor. Items
 * are processed one at a time in arrival order so dedup and sequence checks
 * see a consistent past.
 */
import { EngineError } from "../bridge/index.ts";
import type { Logger } from "../engine/index.ts";
import type { HostPort } from "../host/index.ts";
import { decodePng, dHash, hammingDistance, isPng } from "../image/index.ts";
import { captureArea, confineCapturePath } from "./capture-path.ts";
import { HealthMonitor } from "./health.ts";
import type { CaptureHealthEvent, CaptureServiceName, RecordingAudio, RecordingHealth, RecordingScreenshot, RecordingVideo, SessionConfig } from "./schemas.ts";
import { CaptureServices } from "./services.ts";
import type { SessionStoragePort } from "./storage-port.ts";
import { KEYS } from "./storage-port.ts";
import { parseWavHeader, wavPeak } from "../media/index.ts";

export interface RuntimeDeps {
  readonly host: HostPort;
  readonly storage: SessionStoragePort;
  readonly logger: Logger;
  readonly emitHealth: (event: CaptureHealthEvent) => void;
  /** Session time of a wall-clock instant. */
  readonly sessionTimeAt: (wall: number) => number;
  /** Session time now. */
  readonly sessionTimeNow: () => number;
}

export interface ItemResult {
  readonly accepted: boolean;
  readonly sequence: number;
  readonly duplicate?: boolean;
  readonly duplicateOf?: number;
  readonly redelivered?: boolean;
}

function permissionsFor(config: SessionConfig): Record<CaptureServiceName, ("screen" | "microphone" | "camera")[]> {
  const usesCamera = config.sources.some((source) => source.kind === "camera");
  const usesScreen = config.sources.some((source) => source.kind !== "camera");
  const visual: ("screen" | "camera")[] = [...(usesScreen ? (["screen"] as const) : []), ...(usesCamera ? (["camera"] as const) : [])];
  const audio: ("screen" | "microphone")[] = [...(config.audio.microphone ? (["microphone"] as const) : []), ...(config.audio.systemAudio ? (["screen"] as const) : [])];
  return { screenshots: visual, video: visual, audio };
}

export class SessionRuntime {
  readonly sessionId: string;
  readonly config: SessionConfig;
  /** Sources being recorded now (sources can be added and removed while recording). */
  readonly sources: { kind: "display" | "window" | "camera"; id: string }[];
  readonly services: CaptureServices;
  readonly monitor: HealthMonitor;
  private readonly deps: RuntimeDeps;
  private chain: Promise<unknown> = Promise.resolve();
  private lastKept: { hash: string; sequence: number } | undefined;
  private usesLevelSamples = false;
  private lastLevelAt: number | undefined;
  private healthWrite: Promise<void> = Promise.resolve();

  constructor(sessionId: string, config: SessionConfig, deps: RuntimeDeps) {
    this.sessionId = sessionId;
    this.config = config;
    this.sources = config.sources.map((source) => ({ ...source }));
    this.deps = deps;
    const hasVisual = config.sources.length > 0;
    this.services = new CaptureServices(
      {
        screenshots: config.screenshots.enabled && hasVisual,
        audio: config.audio.microphone || config.audio.systemAudio,
        video: config.video.enabled && hasVisual,
      },
      { screenshots: config.screenshots.intervalMs, audio: config.audio.segmentMs, video: config.video.segmentSeconds * 1000 },
      config.health.stallFactor,
    );
    this.monitor = new HealthMonitor({
      sessionId,
      thresholds: config.health,
      services: this.services,
      clock: deps.host.clock,
      timers: deps.host.timers,
      sessionTime: deps.sessionTimeNow,
      emit: (event) => {
        deps.emitHealth(event);
        this.persistHealth();
      },
      permissionsByService: permissionsFor(config),
      files: deps.host.files,
      diskPath: "",
      microphone: config.audio.microphone,
    });
  }

  /** Runs `task` after every earlier item; the chain survives failures. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every item received so far is processed. */
  drain(): Promise<void> {
    return this.drainUntilQuiet();
  }

  /** Items can arrive while earlier ones are processed (late recorder reports at stop): wait until none is left. */
  private async drainUntilQuiet(): Promise<void> {
    let items: Promise<unknown> | undefined;
    let health: Promise<void> | undefined;
    while (items !== this.chain || health !== this.healthWrite) {
      items = this.chain;
      health = this.healthWrite;
      await items;
      await health;
    }
  }

  private persistHealth(): void {
    const events = [...this.monitor.events];
    this.healthWrite = this.healthWrite
      .then(() => this.deps.storage.store.putJson(KEYS.health(this.sessionId), events))
      .catch((error: unknown) => this.deps.logger.warn("capture health not saved", { sessionId: this.sessionId, error }));
  }

  /**
   * Confines the reported file to the session's staging area and checks its digest and size
   * (unless the host's recorder hashed it as it wrote it there); rejects (and counts a drop)
   * otherwise. Returns the data-relative path to adopt.
   */
  private async verify(service: CaptureServiceName, item: { path: string; sha256: string; size: number; sequence: number }): Promise<string> {
    const { host } = this.deps;
    const area = captureArea(this.sessionId);
    const path = confineCapturePath(this.sessionId, item.path);
    try {
      if (path === undefined) throw new EngineError("recording.invalid_item", `${service} item ${item.sequence}: files must be in the session's staging folder ${area}`, { data: { sequence: item.sequence } });
      await host.files.confine?.(path, area);
    } catch (cause) {
      this.reject(service, item.sequence, "outside the staging folder");
      throw cause instanceof EngineError ? cause : new EngineError("recording.invalid_item", `${service} item ${item.sequence}: the file is not a plain file inside ${area}`, { cause, data: { sequence: item.sequence } });
    }
    if (host.info.recorderHashes === true) return path;
    let actual: { sha256: string; size: number };
    try {
      actual = await host.crypto.sha256File(path);
    } catch (cause) {
      this.reject(service, item.sequence, "file unreadable");
      throw new EngineError("recording.invalid_item", `${service} item ${item.sequence}: file ${path} cannot be read`, { cause, data: { sequence: item.sequence } });
    }
    if (actual.sha256 !== item.sha256 || actual.size !== item.size) {
      this.reject(service, item.sequence, "hash mismatch");
      throw new EngineError("recording.hash_mismatch", `${service} item ${item.sequence}: the file does not match the reported SHA-256 and size`, {
        data: { sequence: item.sequence, reported: item.sha256, actual: actual.sha256 },
      });
    }
    return path;
  }

  private reject(service: CaptureServiceName, sequence: number, reason: string): void {
    const check = this.services.checkSequence(service, sequence);
    if (check.kind === "new") this.services.consumeSequence(service, sequence);
    this.monitor.onRejected(service, reason);
    this.deps.logger.warn("recording item rejected", { sessionId: this.sessionId, service, sequence, reason });
  }

  private async perceptualHash(item: RecordingScreenshot): Promise<string | undefined> {
    if (item.perceptualHash !== undefined) return item.perceptualHash;
    const { host } = this.deps;
    try {
      if (host.imaging !== undefined) return await host.imaging.perceptualHash(item.path);
      const bytes = await host.files.read(item.path);
      return isPng(bytes) ? dHash(decodePng(bytes)) : undefined;
    } catch (error) {
      this.deps.logger.warn("perceptual hash failed", { sessionId: this.sessionId, sequence: item.sequence, error });
      return undefined;
    }
  }

  private failStorage(service: CaptureServiceName, error: unknown): never {
    this.services.recordError(service);
    const code = (error as { code?: unknown }).code;
    this.monitor.onSample({ kind: "write_failed", sessionId: this.sessionId, at: this.deps.host.clock.now(), service, code: typeof code === "string" ? code.slice(0, 40) : "storage" }, 0);
    throw error;
  }

  handleScreenshot(item: RecordingScreenshot): Promise<ItemResult> {
    this.monitor.touch("screenshots");
    return this.enqueue(async () => {
      if (this.services.checkSequence("screenshots", item.sequence).kind === "repeat") return { accepted: false, redelivered: true, sequence: item.sequence };
      item = { ...item, path: await this.verify("screenshots", item) };
      const hash = await this.perceptualHash(item);
      let duplicateOf: number | undefined;
      if (hash !== undefined) {
        if (this.lastKept !== undefined && hammingDistance(hash, this.lastKept.hash) <= this.config.health.duplicateDistance) duplicateOf = this.lastKept.sequence;
        else this.lastKept = { hash, sequence: item.sequence };
      }
      const { storage, host } = this.deps;
      try {
        const attachment = await storage.attachments.registerExternalBlob(
          { path: item.path, sha256: item.sha256, size: item.size, nativeHashed: true },
          { type: "screenshot", mimeType: item.mimeType, width: item.width, height: item.height },
          { sessionId: this.sessionId },
        );
        await storage.sessions.appendScreenshot(this.sessionId, {
          sequenceNumber: item.sequence,
          capturedAt: item.capturedAt,
          sessionTimeMs: Math.round(this.deps.sessionTimeAt(item.capturedAt)),
          attachmentId: attachment.id,
          width: item.width,
          height: item.height,
          ...(hash === undefined ? {} : { perceptualHash: hash }),
          isDuplicate: duplicateOf !== undefined,
          ...(duplicateOf === undefined ? {} : { duplicateOf }),
          ...(item.sourceId === undefined ? {} : { sourceId: item.sourceId }),
        });
      } catch (error) {
        this.failStorage("screenshots", error);
      }
      this.accept("screenshots", item.sequence, item.capturedAt, host.clock.now() - item.capturedAt, duplicateOf !== undefined);
      return { accepted: true, sequence: item.sequence, duplicate: duplicateOf !== undefined, ...(duplicateOf === undefined ? {} : { duplicateOf }) };
    });
  }

  handleAudio(item: RecordingAudio): Promise<ItemResult> {
    this.monitor.touch("audio");
    return this.enqueue(async () => {
      if (this.services.checkSequence("audio", item.sequence).kind === "repeat") return { accepted: false, redelivered: true, sequence: item.sequence };
      item = { ...item, path: await this.verify("audio", item) };
      let { sampleRate, channels, peak } = item;
      if (sampleRate === undefined || channels === undefined || (peak === undefined && this.config.audio.microphone)) {
        try {
          const bytes = await this.deps.host.files.read(item.path);
          const info = parseWavHeader(bytes);
          sampleRate ??= info.sampleRate;
          channels ??= info.channels;
          peak ??= wavPeak(bytes, info);
        } catch (error) {
          this.deps.logger.warn("audio segment unreadable for format", { sessionId: this.sessionId, sequence: item.sequence, error });
        }
      }
      const startSessionMs = Math.round(this.deps.sessionTimeAt(item.startedAt));
      const silent = peak === undefined ? undefined : peak < 1 / 32768;
      try {
        const attachment = await this.deps.storage.attachments.registerExternalBlob(
          { path: item.path, sha256: item.sha256, size: item.size, nativeHashed: true },
          { type: "audio", mimeType: item.mimeType, durationMs: item.durationMs },
          { sessionId: this.sessionId },
        );
        await this.deps.storage.sessions.appendAudioSegment(this.sessionId, {
          sequenceNumber: item.sequence,
          attachmentId: attachment.id,
          capturedAt: item.startedAt,
          startSessionMs,
          durationMs: item.durationMs,
          sampleRate: sampleRate ?? 48_000,
          channels: channels ?? 1,
          ...(silent === undefined ? {} : { silent }),
        });
      } catch (error) {
        this.failStorage("audio", error);
      }
      const endWall = item.startedAt + item.durationMs;
      this.accept("audio", item.sequence, endWall, this.deps.host.clock.now() - endWall, false);
      if (!this.usesLevelSamples) this.monitor.onAudioPeak(peak, item.durationMs);
      return { accepted: true, sequence: item.sequence };
    });
  }

  handleVideo(item: RecordingVideo): Promise<ItemResult> {
    this.monitor.touch("video");
    return this.enqueue(async () => {
      if (this.services.checkSequence("video", item.sequence).kind === "repeat") return { accepted: false, redelivered: true, sequence: item.sequence };
      item = { ...item, path: await this.verify("video", item) };
      const { storage } = this.deps;
      try {
        const attachment = await storage.attachments.registerExternalBlob(
          { path: item.path, sha256: item.sha256, size: item.size, nativeHashed: true },
          { type: "video", mimeType: item.mimeType, width: item.width, height: item.height, durationMs: item.durationMs },
          { sessionId: this.sessionId },
        );
        const existing = await storage.sessions.getVideo(this.sessionId);
        const segments = [...(existing?.segments ?? [])];
        segments.push({
          sequenceNumber: item.sequence,
          attachmentId: attachment.id,
          startSessionMs: Math.round(this.deps.sessionTimeAt(item.startedAt)),
          durationMs: item.durationMs,
          width: item.width,
          height: item.height,
        });
        await storage.sessions.saveVideo({
          sessionId: this.sessionId,
          segments,
          ...(existing?.merged === undefined ? {} : { merged: existing.merged }),
          durationMs: segments.reduce((sum, segment) => sum + segment.durationMs, 0),
          updatedAt: this.deps.host.clock.now(),
        });
      } catch (error) {
        this.failStorage("video", error);
      }
      const endWall = item.startedAt + item.durationMs;
      this.accept("video", item.sequence, endWall, this.deps.host.clock.now() - endWall, false);
      return { accepted: true, sequence: item.sequence };
    });
  }

  handleHealth(sample: RecordingHealth): Promise<void> {
    return this.enqueue(async () => {
      if (sample.kind === "level") {
        this.usesLevelSamples = true;
        const duration = this.lastLevelAt === undefined ? 0 : Math.max(0, Math.min(sample.at - this.lastLevelAt, 60_000));
        this.lastLevelAt = sample.at;
        this.monitor.onSample(sample, duration);
        return;
      }
      this.monitor.onSample(sample, 0);
    });
  }

  private accept(service: CaptureServiceName, sequence: number, wall: number, latencyMs: number, duplicate: boolean): void {
    this.services.recordItem(service, { sequence, sessionMs: this.deps.sessionTimeAt(wall), wall, latencyMs, duplicate });
    this.monitor.onItem(service);
  }
}
