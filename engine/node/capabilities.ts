import type { Caller } from "../src/bridge/index.ts";
import type { HostPort, ImagingPort, MediaPort, RecorderPort } from "../src/host/index.ts";
import { createFfmpegMedia } from "./media-ffmpeg.ts";
import { createNodeSimulatedRecorder } from "./simulated-recorder/index.ts";

/** Optional capabilities the Node host can offer on this machine. */
export interface NodeCapabilities {
  recorder?: RecorderPort;
  media?: MediaPort;
  imaging?: ImagingPort;
  /** Connects capabilities that talk back to the engine (the recorder's notifications). */
  bind(host: HostPort, engine: { handle(message: unknown, caller?: Caller): Promise<unknown> }): void;
}

export interface NodeCapabilityOptions {
  readonly dataDir: string;
  readonly recorder: "simulated" | "none";
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Detects and creates the optional capabilities: the simulated recorder on request, ffmpeg media when installed. */
export async function createNodeCapabilities(options: NodeCapabilityOptions): Promise<NodeCapabilities> {
  const simulated = options.recorder === "simulated" ? createNodeSimulatedRecorder() : undefined;
  const media = createFfmpegMedia({ dataDir: options.dataDir });
  return {
    ...(simulated === undefined ? {} : { recorder: simulated.recorder }),
    ...(media === undefined ? {} : { media }),
    bind(host, engine) {
      simulated?.bind(host, engine);
    },
  };
}
