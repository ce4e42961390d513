import { createHash, randomBytes, randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createOrderedTimers, type EngineEventMessage, type HostPort, type ImagingPort, type LanguageModelPort, type LogLevel, type MediaPort, type RecorderPort, type SecretName, type SpeechPort, type VisionPort } from "../src/host/index.ts";
import { createFetchHttp, redactForHost } from "./node-host-support.ts";
import { createNodeFiles, resolveHostPath, sha256FileNode, toHostFileError } from "./node-files.ts";
import { createNodeLock } from "./node-lock.ts";

export interface NodeHostOptions {
  /** The data directory; relative host paths resolve against it. */
  readonly dataDir: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Receives every engine event. */
  readonly onEvent?: (event: EngineEventMessage) => void;
  /** Minimum level written to `<dataDir>/logs/engine.log` (default info) and, with `echo`, to stderr. */
  readonly logLevel?: LogLevel;
  readonly echoLogs?: boolean;
  readonly recorder?: RecorderPort;
  readonly media?: MediaPort;
  readonly imaging?: ImagingPort;
  readonly vision?: VisionPort;
  readonly speech?: SpeechPort;
  readonly languageModel?: LanguageModelPort;
}

const LEVELS: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface NodeHost extends HostPort {
  readonly dataDir: string;
}

/** The Node host: the same contract as the Swift EngineHost, over node:fs, node:crypto and fetch. */
export function createNodeHost(options: NodeHostOptions): NodeHost {
  const env = options.env ?? process.env;
  const dataDir = options.dataDir;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const logDir = join(dataDir, "logs");
  const minLevel = LEVELS[options.logLevel ?? "info"];
  const origin = performance.now();
  const files = createNodeFiles(dataDir);
  return {
    dataDir,
    info: {
      name: "node",
      version: process.version,
      platform: process.platform,
      nativeHash: true,
      providerBaseUrls: { anthropic: env.ANTHROPIC_BASE_URL || undefined, openai: env.OPENAI_BASE_URL || undefined, localServer: env.STINT_LOCAL_SERVER_URL || undefined },
    },
    clock: { now: () => Date.now(), elapsed: () => performance.now() - origin },
    // Node alone does not keep deadline order across durations when its loop stalls.
    timers: createOrderedTimers({
      set: (callback, ms) => setTimeout(callback, ms),
      clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
      now: () => performance.now() - origin,
    }),
    files,
    crypto: {
      sha256: async (bytes) => createHash("sha256").update(bytes).digest("hex"),
      async sha256File(path) {
        const absolute = resolveHostPath(dataDir, path);
        try {
          return await sha256FileNode(absolute);
        } catch (error) {
          throw toHostFileError(error, path);
        }
      },
      randomUUID: () => randomUUID(),
      randomBytes: (length) => new Uint8Array(randomBytes(length)),
    },
    http: createFetchHttp(),
    secrets: { get: async (name: SecretName) => env[name] || undefined },
    log: {
      write(level, message, data) {
        if (LEVELS[level] < minLevel) return;
        const line = JSON.stringify({ at: new Date().toISOString(), level, message, ...(data === undefined ? {} : { data: redactForHost(data) }) });
        try {
          mkdirSync(logDir, { recursive: true, mode: 0o700 });
          appendFileSync(join(logDir, "engine.log"), `${line}\n`, { mode: 0o600 });
        } catch {
          // Logging must never fail the engine (read-only or full disk).
        }
        if (options.echoLogs === true) process.stderr.write(`${line}\n`);
      },
    },
    emit: (event) => options.onEvent?.(event),
    recorder: options.recorder,
    media: options.media,
    imaging: options.imaging,
    vision: options.vision,
    speech: options.speech,
    languageModel: options.languageModel,
    // The flock addon loads on first use: a command that only reads never pays for it.
    get lock() {
      const lock = createNodeLock(dataDir);
      Object.defineProperty(this, "lock", { value: lock, enumerable: true });
      return lock;
    },
  };
}
