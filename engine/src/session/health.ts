/**
 * Capture health: turns recorder signals and the absence of items into
 * `capture.health` events. Detectors: microphone digital silence longer than
 * a threshold, a stalled source (no item for over `stallFactor` × its
 * interval while recording), dropped items above a ratio, low disk, revoked
 * permission, failed writes. Each event changes the service's health and is
 * kept for the integrity report.
 */
import type { ClockPort, FilesPort, TimerId, TimersPort } from "../host/index.ts";
import type { CaptureServices } from "./services.ts";
import { SERVICE_NAMES } from "./services.ts";
import type { CaptureHealthEvent, CaptureServiceName, HealthKind, HealthThresholds, RecordingHealth } from "./schemas.ts";

/** Below one 16-bit step: the microphone delivered zeros. */
export const DIGITAL_SILENCE_PEAK = 1 / 32768;
const DISK_POLL_MS = 60_000;
const MIN_ITEMS_FOR_DROP_RATIO = 10;
/** Health events kept per session; a flapping source must not grow the report without bound. */
export const MAX_HEALTH_EVENTS = 1000;

export interface HealthMonitorOptions {
  readonly sessionId: string;
  readonly thresholds: HealthThresholds;
  readonly services: CaptureServices;
  readonly clock: ClockPort;
  readonly timers: TimersPort;
  /** Session time now (paused spans excluded). */
  readonly sessionTime: () => number;
  readonly emit: (event: CaptureHealthEvent) => void;
  /** Which permission each service needs (screen for screenshots/video, microphone for audio…). */
  readonly permissionsByService: Readonly<Record<CaptureServiceName, readonly ("screen" | "microphone" | "camera")[]>>;
  /** Polled for free space while recording, when the host can tell. */
  readonly files?: Pick<FilesPort, "diskSpace">;
  readonly diskPath?: string;
  /** Whether the microphone is being recorded (silence only matters then). */
  readonly microphone: boolean;
}

type Service = CaptureHealthEvent["service"];

export class HealthMonitor {
  private readonly options: HealthMonitorOptions;
  private readonly watchdogs = new Map<CaptureServiceName, TimerId>();
  private diskTimer: TimerId | undefined;
  private silentMs = 0;
  private silenceReported = false;
  private lowDisk = false;
  private running = false;
  readonly events: CaptureHealthEvent[] = [];

  constructor(options: HealthMonitorOptions) {
    this.options = options;
  }

  /** Recording (again): arm a stall watchdog per enabled service and the disk poll. */
  resume(): void {
    this.running = true;
    for (const service of SERVICE_NAMES) if (this.options.services.isEnabled(service)) this.arm(service);
    this.scheduleDiskPoll(0);
  }

  /** Paused or stopped: nothing can stall while nothing is expected. */
  pause(): void {
    this.running = false;
    for (const id of this.watchdogs.values()) this.options.timers.clearTimeout(id);
    this.watchdogs.clear();
    if (this.diskTimer !== undefined) this.options.timers.clearTimeout(this.diskTimer);
    this.diskTimer = undefined;
  }

  stop(): void {
    this.pause();
  }

  /** A notification for `service` just arrived (before processing): the source is alive. */
  touch(service: CaptureServiceName): void {
    if (this.running) this.arm(service);
  }

  /** An item arrived for `service`: clears a stall, re-arms the watchdog, checks the drop ratio. */
  onItem(service: CaptureServiceName): void {
    if (this.options.services.hasCondition(service, "stalled")) {
      this.change(service, "stalled", undefined, "info", "stalled", `${service} resumed delivering items`, true);
    }
    if (this.running) this.arm(service);
    this.checkDrops(service);
  }

  onDropped(service: CaptureServiceName): void {
    this.checkDrops(service);
  }

  /** An audio segment's peak level: accumulates digital silence. */
  onAudioPeak(peak: number | undefined, durationMs: number): void {
    if (!this.options.microphone || peak === undefined) return;
    this.onLevel(peak, durationMs);
  }

  /** A health sample from the recorder. */
  onSample(sample: RecordingHealth, intervalSinceLastLevel: number): void {
    switch (sample.kind) {
      case "level":
        if (this.options.microphone) this.onLevel(sample.peak, intervalSinceLastLevel);
        break;
      case "drops":
        this.options.services.recordDropped(sample.service, sample.dropped);
        this.checkDrops(sample.service);
        break;
      case "disk":
        this.onDisk(sample.freeBytes);
        break;
      case "permission":
        this.onPermission(sample.permission, sample.state);
        break;
      case "write_failed":
        this.options.services.recordError(sample.service);
        this.options.services.recordDropped(sample.service, 1);
        if (sample.code === "ENOSPC") this.onDisk(0);
        this.change(sample.service, `write_failed`, "degraded", "warning", "write_failed", `${sample.service}: a capture file could not be written (${sample.code})`);
        this.checkDrops(sample.service);
        break;
      case "buffer":
        if (sample.fill >= 0.9) this.change(sample.service, "buffer", "degraded", "warning", "buffer", `${sample.service}: capture buffer ${Math.round(sample.fill * 100)}% full`);
        else if (this.options.services.hasCondition(sample.service, "buffer")) this.change(sample.service, "buffer", undefined, "info", "buffer", `${sample.service}: capture buffer back to normal`, true);
        break;
    }
  }

  /** An item was refused (hash mismatch, unreadable file): counted as dropped and reported. */
  onRejected(service: CaptureServiceName, reason: string): void {
    this.options.services.recordDropped(service, 1);
    this.options.services.recordError(service);
    this.report(service, "rejected_item", "warning", `${service}: item rejected (${reason})`, false, this.options.services.health(service));
    this.checkDrops(service);
  }

  private onLevel(peak: number, durationMs: number): void {
    if (peak < DIGITAL_SILENCE_PEAK) {
      this.silentMs += durationMs;
      if (!this.silenceReported && this.silentMs >= this.options.thresholds.silenceMs) {
        this.silenceReported = true;
        this.change("audio", "silence", "degraded", "warning", "silence", `microphone has recorded digital silence for ${Math.round(this.silentMs / 1000)} s`);
      }
    } else {
      this.silentMs = 0;
      if (this.silenceReported) {
        this.silenceReported = false;
        this.change("audio", "silence", undefined, "info", "silence", "microphone signal is back", true);
      }
    }
  }

  private onDisk(freeBytes: number): void {
    const low = freeBytes < this.options.thresholds.lowDiskBytes;
    if (low && !this.lowDisk) {
      this.lowDisk = true;
      const severity = freeBytes < Math.min(this.options.thresholds.lowDiskBytes, 100 * 1024 ** 2) ? "critical" : "warning";
      for (const service of SERVICE_NAMES) if (this.options.services.isEnabled(service)) this.options.services.setCondition(service, "low_disk", "degraded");
      this.report("disk", "low_disk", severity, `low disk space: ${Math.round(freeBytes / 1024 ** 2)} MB free`, false, "degraded");
    } else if (!low && this.lowDisk) {
      this.lowDisk = false;
      for (const service of SERVICE_NAMES) this.options.services.setCondition(service, "low_disk", undefined);
      this.report("disk", "low_disk", "info", "disk space recovered", true, "healthy");
    }
  }

  private onPermission(permission: "screen" | "microphone" | "camera", state: string): void {
    for (const service of SERVICE_NAMES) {
      if (!this.options.services.isEnabled(service) || !this.options.permissionsByService[service].includes(permission)) continue;
      const key = `permission:${permission}`;
      if (state !== "granted") {
        if (!this.options.services.hasCondition(service, key)) {
          this.options.services.setServiceState(service, "error");
          this.change(service, key, "failed", "critical", "permission_revoked", `${permission} permission was revoked: ${service} stopped`);
        }
      } else if (this.options.services.hasCondition(service, key)) {
        this.options.services.setServiceState(service, this.running ? "active" : "paused");
        this.change(service, key, undefined, "info", "permission_revoked", `${permission} permission granted again`, true);
      }
    }
  }

  private checkDrops(service: CaptureServiceName): void {
    const { ratio, total } = this.options.services.dropRatio(service);
    const over = total >= MIN_ITEMS_FOR_DROP_RATIO && ratio > this.options.thresholds.dropRatio;
    const flagged = this.options.services.hasCondition(service, "drops");
    if (over && !flagged) this.change(service, "drops", "degraded", "warning", "drops", `${service}: ${(ratio * 100).toFixed(1)}% of items dropped`);
    else if (!over && flagged) this.change(service, "drops", undefined, "info", "drops", `${service}: drop rate back under ${(this.options.thresholds.dropRatio * 100).toFixed(0)}%`, true);
  }

  private arm(service: CaptureServiceName): void {
    const existing = this.watchdogs.get(service);
    if (existing !== undefined) this.options.timers.clearTimeout(existing);
    const windowMs = this.options.thresholds.stallFactor * this.options.services.intervalMs(service);
    this.watchdogs.set(
      service,
      this.options.timers.setTimeout(() => {
        this.watchdogs.delete(service);
        if (!this.running || this.options.services.hasCondition(service, "stalled")) return;
        this.change(service, "stalled", "degraded", "warning", "stalled", `${service}: no item for ${Math.round(windowMs / 1000)} s`);
      }, windowMs),
    );
  }

  private scheduleDiskPoll(delayMs: number): void {
    const { files, diskPath } = this.options;
    if (files?.diskSpace === undefined || diskPath === undefined) return;
    this.diskTimer = this.options.timers.setTimeout(() => {
      this.diskTimer = undefined;
      files.diskSpace!(diskPath).then(
        (space) => {
          if (this.running) this.onDisk(space.free);
        },
        () => undefined,
      );
      if (this.running) this.scheduleDiskPoll(DISK_POLL_MS);
    }, delayMs);
  }

  private change(
    service: CaptureServiceName,
    key: string,
    health: "degraded" | "failed" | undefined,
    severity: CaptureHealthEvent["severity"],
    kind: HealthKind,
    message: string,
    resolved = false,
  ): void {
    const result = this.options.services.setCondition(service, key, health);
    this.report(service, kind, severity, message, resolved, result);
  }

  private report(service: Service, kind: HealthKind, severity: CaptureHealthEvent["severity"], message: string, resolved: boolean, health: CaptureHealthEvent["health"]): void {
    const event: CaptureHealthEvent = {
      sessionId: this.options.sessionId,
      service,
      kind,
      severity,
      resolved,
      message,
      at: this.options.clock.now(),
      sessionTimeMs: Math.max(0, Math.round(this.options.sessionTime())),
      health,
    };
    this.events.push(event);
    if (this.events.length > MAX_HEALTH_EVENTS) {
      // Drop the oldest "back to normal" notice first; warnings are what the report is for.
      const index = this.events.findIndex((candidate) => candidate.resolved);
      this.events.splice(index < 0 ? 0 : index, 1);
    }
    this.options.emit(event);
  }
}
