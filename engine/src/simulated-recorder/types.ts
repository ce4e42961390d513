/** The simulated recorder's options, controls and counters. */
import type { CaptureSource, ClockPort, CryptoPort, FilesPort, RecorderPermissions, RecorderPort, TimersPort } from "../host/index.ts";

/** What the recorder needs from a host. */
export interface SimulatedRecorderDeps {
  readonly files: Pick<FilesPort, "writeAtomic" | "mkdirp">;
  readonly timers: TimersPort;
  readonly clock: ClockPort;
  readonly crypto: Pick<CryptoPort, "sha256">;
}

/** An inbound bridge notification, as the host hands it to `StintEngine.handle`. */
export interface RecorderNotification {
  readonly v: 1;
  readonly method: "recording.screenshot" | "recording.audio" | "recording.video" | "recording.health";
  readonly params: Record<string, unknown>;
}

export type Deliver = (message: RecorderNotification) => Promise<unknown> | unknown;

export interface SimulatedRecorderOptions {
  /** Frame size (default 320×200: small, still a real screen-like image). */
  readonly width?: number;
  readonly height?: number;
  readonly sampleRate?: number;
  readonly seed?: number;
  /** Compute the dHash as a native host would and send it (default true). */
  readonly perceptualHash?: boolean;
  readonly permissions?: Partial<RecorderPermissions>;
  /** What `requestPermission` grants (default: granted). */
  readonly grantOnRequest?: boolean;
  /** Free bytes reported in disk samples (default 500 GB). */
  readonly freeBytes?: number;
  /** How often disk samples are sent while recording (default 60 s). */
  readonly diskSampleMs?: number;
  readonly deliver?: Deliver;
  /** Real speech for a segment (espeak-ng in Node): WAV bytes, or undefined for synthetic audio. */
  readonly speech?: (segmentIndex: number, durationMs: number) => Promise<Uint8Array | undefined>;
  /** Encodes a video segment from PNG frames (ffmpeg in Node); undefined skips video. */
  readonly encodeVideo?: (frames: readonly Uint8Array[], frameDurationMs: number) => Promise<Uint8Array | undefined>;
  /** A faster zlib compressor for PNG data (node:zlib in Node); default the engine's own. */
  readonly zlib?: (raw: Uint8Array) => Uint8Array;
  /** Extra sources to list. */
  readonly sources?: readonly CaptureSource[];
}

export type FaultService = "screenshots" | "audio" | "video";

/** Counters of what the recorder did and which faults fired. */
export interface SimulatedRecorderStats {
  screenshots: number;
  audioSegments: number;
  videoSegments: number;
  /** Ticks skipped because a source was stalled. */
  stalledTicks: number;
  /** Audio segments written as digital silence. */
  silentSegments: number;
  /** Items not captured because a permission was revoked. */
  revokedSkips: number;
  /** Writes refused because the disk was full. */
  diskFullWrites: number;
  /** Sequence numbers skipped on purpose. */
  droppedItems: number;
  /** Items reported with a wrong digest on purpose. */
  corruptedItems: number;
  /** Notifications the engine answered with an error. */
  rejected: number;
  lastRejection: string | undefined;
}

export interface SimulatedRecorder extends RecorderPort {
  readonly stats: SimulatedRecorderStats;
  /** Where notifications go (`engine.handle`). Set before `start`. */
  connect(deliver: Deliver): void;
  readonly faults: {
    stall(service: FaultService, on?: boolean): void;
    silenceMicrophone(on?: boolean): void;
    revokePermission(kind: keyof RecorderPermissions): void;
    grantPermission(kind: keyof RecorderPermissions): void;
    fillDisk(on?: boolean): void;
    dropNext(service: FaultService, count: number): void;
    corruptNext(service: FaultService): void;
    /** Makes the next `start`/`pause`/`resume`/`stop` reject once. */
    failNext(operation: "start" | "pause" | "resume" | "stop", message?: string): void;
  };
  /** Current state, for tests. */
  state(): "idle" | "recording" | "paused";
  /** True while captured items are still being written or delivered. */
  busy(): boolean;
}
