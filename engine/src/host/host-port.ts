/**
 * The host port: the only way out of the engine.
 *
 * The Swift `EngineHost` (JavaScriptCore on the Mac), the Node host and the
 * JavaScriptCore test host all implement this one contract, and one contract
 * suite (`host.contract.ts`) runs against each of them. The engine never
 * touches a platform global; everything it needs from the world is here.
 *
 * Conventions shared by every implementation:
 * - Bytes are `Uint8Array`s, never base64 or number arrays.
 * - Paths are POSIX strings. A relative path is resolved against the host's
 *   data directory; an absolute path is used as given (the recorder's capture
 *   files live outside the data directory until the engine adopts them).
 * - A failing file operation rejects with an `Error` whose `code` is one of
 *   {@link HostFileErrorCode}; the engine maps it to its own error codes.
 * - Optional capabilities are `undefined` when absent: detect, never assume.
 */

/** Static facts about the host, read once at start. */
export interface HostInfo {
  /** `"macos"`, `"node"`, `"jsc-test"`, `"memory"`, `"browser"`. */
  readonly name: string;
  /** Host build version, for logs and `engine.capabilities`. */
  readonly version: string;
  /** Operating system, e.g. `"darwin"`, `"linux"`. */
  readonly platform: string;
  /** True when `crypto.sha256` and the recorder's digests are computed natively. */
  readonly nativeHash: boolean;
  /**
   * True when the host's recorder writes each file into the capture staging
   * area itself and hashes it as it writes: the engine then trusts the digest
   * it reports. Otherwise every reported file is hashed on adoption.
   */
  readonly recorderHashes?: boolean;
  /** Base URLs for the AI providers, when overridden (tests, proxies). */
  readonly providerBaseUrls?: { readonly anthropic?: string; readonly openai?: string; readonly localServer?: string };
}

/** Wall and monotonic time. Synchronous by nature. */
export interface ClockPort {
  /** Wall-clock time, epoch milliseconds. */
  now(): number;
  /** Monotonic milliseconds since an arbitrary origin; never goes backwards. */
  elapsed(): number;
}

/** Timer handle returned by {@link TimersPort.setTimeout}. */
export type TimerId = number;

/** One-shot timers. Callbacks run on the engine's thread, in deadline order. */
export interface TimersPort {
  /** Runs `callback` once after at least `ms` milliseconds. Equal deadlines fire in call order. */
  setTimeout(callback: () => void, ms: number): TimerId;
  /** Cancels a pending timer; unknown or fired ids are ignored. */
  clearTimeout(id: TimerId): void;
}

/** Error codes a file operation rejects with (as `error.code`). */
export type HostFileErrorCode =
  | "ENOENT"
  | "EEXIST"
  | "ENOTDIR"
  | "EISDIR"
  | "ENOTEMPTY"
  | "EACCES"
  | "ENOSPC"
  | "EIO"
  | "EINVAL";

/** What {@link FilesPort.stat} reports. */
export interface FileStat {
  readonly kind: "file" | "directory";
  readonly size: number;
  /** Last modification, epoch milliseconds. */
  readonly mtimeMs: number;
}

/** Result of a verified write: what actually reached the disk. */
export interface WriteResult {
  readonly size: number;
  /** Lower-case hex SHA-256 of the bytes written. */
  readonly sha256: string;
}

/** Options for {@link FilesPort.writeAtomic}. */
export interface WriteAtomicOptions {
  /**
   * Flush the parent directory after the rename (default true). Batched
   * writers pass false and call {@link FilesPort.flushDir} once per batch.
   */
  readonly flushDir?: boolean;
}

/** The file system, rooted at the host's data directory. */
export interface FilesPort {
  /** Reads a whole file. Rejects `ENOENT` when missing. */
  read(path: string): Promise<Uint8Array>;
  /**
   * Writes a file crash-safely: write a temporary sibling, flush it, read it
   * back and verify size and SHA-256, rename over `path`, then (unless told
   * otherwise) flush the directory. Either the old or the new content is
   * visible afterwards, never a mix; on failure no temporary file remains
   * and the old content is untouched. Creates missing parent directories.
   */
  writeAtomic(path: string, bytes: Uint8Array, options?: WriteAtomicOptions): Promise<WriteResult>;
  /** Appends bytes and flushes the file before resolving. Creates the file if missing. */
  append(path: string, bytes: Uint8Array): Promise<void>;
  /** Flushes a directory's entries (after renames, creates or removes) to stable storage. */
  flushDir(path: string): Promise<void>;
  /** Names (not paths) of a directory's entries, sorted. Rejects `ENOENT` when missing. */
  list(path: string): Promise<string[]>;
  /** Metadata of a path, or `undefined` when nothing is there. */
  stat(path: string): Promise<FileStat | undefined>;
  /** Removes a file, or a directory with `recursive`. Missing paths are not an error. */
  remove(path: string, options?: { readonly recursive?: boolean }): Promise<void>;
  /** Renames atomically within one volume, replacing `to` if it exists. */
  rename(from: string, to: string): Promise<void>;
  /** Creates a directory and its missing parents. */
  mkdirp(path: string): Promise<void>;
  /** Copies a file (used when a rename crosses volumes). Flushes the copy. */
  copy(from: string, to: string): Promise<void>;
  /**
   * Checks that `path` (data-relative) is a regular file, not a symbolic link
   * and with no other hard link, whose location after resolving every
   * component lies inside the data-relative folder `area`. Rejects `EACCES`
   * otherwise (`ENOENT` when missing). Hosts with symbolic links implement it.
   */
  confine?(path: string, area: string): Promise<void>;
  /** Free and total bytes of the volume holding `path`, when the host can tell. */
  diskSpace?(path: string): Promise<{ readonly free: number; readonly total: number }>;
  /**
   * Reads byte ranges of one file in one call, results in the order asked
   * (views of one buffer). Rejects `ENOENT` when the file is missing and
   * `EINVAL` when a range reaches past its end. Lets a reader take a few
   * entries of a large file without holding all of it; without it, callers
   * read the whole file.
   */
  readRanges?(path: string, ranges: readonly ByteRange[]): Promise<Uint8Array[]>;
}

/** A span of a file for {@link FilesPort.readRanges}. */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

/** Hashing and randomness. */
export interface CryptoPort {
  /** Lower-case hex SHA-256 of `bytes` (CryptoKit on the Mac). */
  sha256(bytes: Uint8Array): Promise<string>;
  /** SHA-256 and size of a file, streamed by the host without crossing the bridge. */
  sha256File(path: string): Promise<WriteResult>;
  /** An RFC 4122 version 4 UUID, lower case. */
  randomUUID(): string;
  /** `length` cryptographically random bytes. */
  randomBytes(length: number): Uint8Array;
}

/** An HTTP request as the host performs it. */
export interface HttpRequest {
  /** Caller-chosen id, used by {@link HttpPort.abort}. */
  readonly id: string;
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  /** The host rejects with a timeout error after this many milliseconds. */
  readonly timeoutMs?: number;
}

/** A complete HTTP response (bodies are bounded: AI calls, not downloads). */
export interface HttpResponse {
  readonly status: number;
  readonly statusText: string;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/**
 * HTTP, URLSession on the Mac. The engine wraps it into a `fetch`-compatible
 * function for the AI SDKs (`createHostFetch`). Network failures reject with
 * an `Error` whose `code` is `"network"`, `"timeout"` or `"aborted"`.
 */
export interface HttpPort {
  request(request: HttpRequest): Promise<HttpResponse>;
  /** Aborts an in-flight request; it rejects with code `"aborted"`. Unknown ids are ignored. */
  abort(id: string): void;
}

/** Secret names the engine may ask for. */
export type SecretName = "ANTHROPIC_API_KEY" | "OPENAI_API_KEY";

/** API keys: Keychain on the Mac, the environment in Node. Never stored or logged by the engine. */
export interface SecretsPort {
  get(name: SecretName): Promise<string | undefined>;
}

/** Severity of a log line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Structured logging (Logger with privacy on the Mac). Secrets are redacted before this is called. */
export interface LogPort {
  write(level: LogLevel, message: string, data?: Readonly<Record<string, unknown>>): void;
}

/** An engine event: a bridge notification going out (`session.state`, `capture.health`, …). */
export interface EngineEventMessage {
  readonly v: 1;
  readonly method: string;
  readonly params: unknown;
}

/** Permission state of one capture capability. */
export type PermissionState = "granted" | "denied" | "not_determined" | "restricted";

/** What {@link RecorderPort.permissions} reports. */
export interface RecorderPermissions {
  readonly screen: PermissionState;
  readonly microphone: PermissionState;
  readonly camera: PermissionState;
}

/** A capturable source. */
export interface CaptureSource {
  readonly kind: "display" | "window" | "camera" | "microphone";
  readonly id: string;
  readonly name: string;
  readonly width?: number;
  readonly height?: number;
  /** Owning application, for windows. */
  readonly appName?: string;
  readonly bundleId?: string;
}

/** What the recorder captures and how. Validated by the engine before `start`. */
export interface RecorderConfig {
  readonly sessionId: string;
  /**
   * Folder where the recorder writes its files for this session: relative to
   * the data directory (what the engine sends, e.g. `capture/{id}`) or absolute.
   * Reported paths may be either; the engine resolves both through `files`.
   */
  readonly captureDir: string;
  readonly sources: readonly { readonly kind: "display" | "window" | "camera"; readonly id: string }[];
  readonly layout: "single" | "grid" | "side-by-side";
  readonly video: { readonly enabled: boolean; readonly fps: number; readonly segmentSeconds: number };
  readonly screenshots: { readonly enabled: boolean; readonly intervalMs: number };
  readonly audio: {
    readonly microphone: boolean;
    readonly systemAudio: boolean;
    /** 0 = only microphone, 1 = only system audio. */
    readonly balance: number;
    readonly segmentMs: number;
    readonly microphoneId?: string;
  };
  readonly excludedBundleIds: readonly string[];
  readonly excludedWindowIds: readonly string[];
}

/**
 * Native capture (ScreenCaptureKit on the Mac, the simulated recorder
 * elsewhere). Captured items come back as `recording.*` bridge notifications
 * through `StintEngine.handle`, carrying paths and digests, never bytes.
 */
export interface RecorderPort {
  start(config: RecorderConfig): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Stops every source and resolves once every captured file is written and reported. */
  stop(): Promise<void>;
  addSource(source: { readonly kind: "display" | "window" | "camera"; readonly id: string }): Promise<void>;
  removeSource(sourceId: string): Promise<void>;
  permissions(): Promise<RecorderPermissions>;
  /** Asks the user for a permission; resolves with the resulting state. */
  requestPermission(kind: keyof RecorderPermissions): Promise<PermissionState>;
  sources(): Promise<CaptureSource[]>;
}

/** What {@link MediaPort.probe} reports. */
export interface MediaProbe {
  readonly durationMs: number;
  readonly hasVideo: boolean;
  readonly hasAudio: boolean;
  readonly width?: number;
  readonly height?: number;
  readonly sampleRate?: number;
  readonly channels?: number;
}

/** What {@link MediaPort.mergeVideoAudio} may be told beyond its inputs. */
export interface MergeOptions {
  /** Expected length of the merged output, for progress. */
  readonly durationMs?: number;
  readonly onProgress?: (fraction: number) => void;
}

/** Optional media processing (AVFoundation on the Mac, ffmpeg in Node). */
export interface MediaPort {
  /** Concatenates audio files into one WAV at `output`. */
  concatAudio(inputs: readonly string[], output: string): Promise<WriteResult>;
  /**
   * Merges a video (possibly segmented) and an audio track into one H.264 + AAC MP4.
   * `options.onProgress` (optional to honour) receives the fraction done, 0–1, measured
   * against `options.durationMs` (the expected length of the output).
   */
  mergeVideoAudio(videos: readonly string[], audio: string | undefined, output: string, options?: MergeOptions): Promise<WriteResult>;
  probe(path: string): Promise<MediaProbe>;
  /** Decodes a compressed audio file (MP3, AAC, …) to 16-bit PCM WAV at `output`, keeping its rate and channels. Optional. */
  decodeAudioToWav?(input: string, output: string): Promise<WriteResult>;
}

/** Optional image work done natively (vImage on the Mac). */
export interface ImagingPort {
  /** 64-bit difference hash as 16 hex characters. */
  perceptualHash(path: string): Promise<string>;
  /** Downscales so the longer edge is at most `maxEdge`; returns PNG or JPEG bytes. */
  downscale(
    path: string,
    maxEdge: number,
  ): Promise<{ readonly bytes: Uint8Array; readonly width: number; readonly height: number; readonly mimeType: string }>;
}

/** A rectangle in image pixels, origin at the top left. */
export interface TextBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** One line of recognised text. */
export interface OcrLine {
  readonly text: string;
  /** 0–1. */
  readonly confidence: number;
  readonly box: TextBox;
}

/** Text recognised in one image. */
export interface OcrResult {
  /** Every line's text, top to bottom, joined with newlines. */
  readonly text: string;
  /** Mean line confidence, 0–1 (0 when nothing was found). */
  readonly confidence: number;
  /** Lines in reading order, each with its box (what redaction blacks out). */
  readonly lines: readonly OcrLine[];
}

/**
 * Optional on-device text recognition: Vision on the Mac, tesseract in Node.
 * Nothing leaves the machine. Rejects `ENOENT` for a missing file and
 * `EINVAL` for bytes that are not an image.
 */
export interface VisionPort {
  recognizeText(path: string, options?: { readonly languages?: readonly string[] }): Promise<OcrResult>;
}

/** One transcribed stretch of speech, times relative to the file. */
export interface SpeechSegment {
  readonly startMs: number;
  readonly endMs: number;
  readonly text: string;
  /** 0–1, when the recogniser reports one. */
  readonly confidence?: number;
}

/**
 * Optional on-device transcription: Speech on the Mac. Nothing leaves the
 * machine. Resolves `[]` for audio without speech; rejects `ENOENT` for a
 * missing file.
 */
export interface SpeechPort {
  transcribe(path: string, options?: { readonly locale?: string }): Promise<SpeechSegment[]>;
}

/** Whether the on-device language model can be used now, and its size. */
export interface LanguageModelStatus {
  readonly available: boolean;
  /** Why not, when unavailable: `"os_too_old"`, `"not_enabled"`, `"not_eligible"`, `"model_not_ready"`, … */
  readonly reason?: string;
  /** Model name, for the ledger and the review's "made with" line. */
  readonly model: string;
  /** Context window in tokens (instructions, prompt and answer together): the engine splits longer input. */
  readonly contextTokens: number;
}

/** One structured generation. */
export interface LanguageModelRequest {
  readonly instructions: string;
  readonly prompt: string;
  /** JSON Schema (an object schema) the answer must match: guided generation where the model supports it. */
  readonly schema: Readonly<Record<string, unknown>>;
  readonly maxOutputTokens?: number;
}

/** A structured answer; the engine validates it again with zod. */
export interface LanguageModelResult {
  readonly json: unknown;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
}

/**
 * Optional on-device language model: Apple's Foundation Models on the Mac
 * (macOS 26 with Apple Intelligence). Nothing leaves the machine. `generate`
 * rejects with code `"unavailable"` when `status().available` is false and
 * `"context_exceeded"` when the input is larger than the context window.
 */
export interface LanguageModelPort {
  status(): Promise<LanguageModelStatus>;
  generate(request: LanguageModelRequest): Promise<LanguageModelResult>;
}

/** A held {@link LockPort} lock. */
export interface HeldLock {
  /**
   * Gives the lock up (idempotent). The OS also drops it when the process ends.
   * Absent when the host's owner keeps the lock for its whole life (the Mac app
   * takes it before the engine starts and holds it until it quits).
   */
  release?(): Promise<void>;
}

/**
 * Optional exclusive locks between processes (`flock(2)` on the Mac, in the
 * JavaScriptCore test host and in Node). Exactly one process writes a data
 * folder: the one holding the lock on its `owner.lock`. The lock belongs to
 * the process, not to an open handle: a process that already holds it gets
 * another handle (released when the last one is), and the kernel drops it
 * when the process dies, so a crashed owner never leaves a lock behind.
 */
export interface LockPort {
  /**
   * Takes the exclusive lock on `path` (created `0600` if missing) without
   * waiting: resolves with the held lock, or `undefined` when another process
   * holds it.
   */
  tryLock(path: string): Promise<HeldLock | undefined>;
}

/** The whole host port handed to `StintEngine.start(host)`. */
export interface HostPort {
  readonly info: HostInfo;
  readonly clock: ClockPort;
  readonly timers: TimersPort;
  readonly files: FilesPort;
  readonly crypto: CryptoPort;
  readonly http: HttpPort;
  readonly secrets: SecretsPort;
  readonly log: LogPort;
  /** Sends an engine event out to the shell (and from there to the panel). */
  emit(event: EngineEventMessage): void;
  /** Optional capabilities: `undefined` when the host lacks them. */
  readonly recorder?: RecorderPort;
  readonly media?: MediaPort;
  readonly imaging?: ImagingPort;
  readonly vision?: VisionPort;
  readonly speech?: SpeechPort;
  readonly languageModel?: LanguageModelPort;
  readonly lock?: LockPort;
}

/** Names of the optional capabilities, for detection and `engine.capabilities`. */
export const OPTIONAL_CAPABILITIES = ["recorder", "media", "imaging", "vision", "speech", "languageModel", "lock"] as const;
export type OptionalCapability = (typeof OPTIONAL_CAPABILITIES)[number];

/** Names of the required capabilities. */
export const REQUIRED_CAPABILITIES = ["info", "clock", "timers", "files", "crypto", "http", "secrets", "log", "emit"] as const;

/** Which optional capabilities a host offers. */
export function detectCapabilities(host: HostPort): Record<OptionalCapability, boolean> {
  const out = {} as Record<OptionalCapability, boolean>;
  for (const name of OPTIONAL_CAPABILITIES) out[name] = host[name] !== undefined && host[name] !== null;
  return out;
}

/** An error a host rejects with, carrying a {@link HostFileErrorCode} or an http code. */
export interface HostError extends Error {
  code?: string;
}

/** Creates an error shaped as hosts reject with. */
export function hostError(code: string, message: string): HostError {
  const error = new Error(message) as HostError;
  error.code = code;
  return error;
}
