import type { Caller } from "../src/bridge/index.ts";
import type { HostPort, ImagingPort, MediaPort, RecorderPort, VisionPort } from "../src/host/index.ts";
import { createFfmpegMedia } from "./media-ffmpeg.ts";
import { createNodeSimulatedRecorder } from "./simulated-recorder/index.ts";
import { createTesseractVision } from "./vision-tesseract.ts";

/** Optional capabilities the Node host can offer on this machine. */
export interface NodeCapabilities {
  recorder?: RecorderPort;
  media?: MediaPort;
  imaging?: ImagingPort;
  vision?: VisionPort;
  /** Connects capabilities that talk back to the engine (the recorder's notifications). */
  bind(host: HostPort, engine: { handle(message: unknown, caller?: Caller): Promise<unknown> }): void;
}

export interface NodeCapabilityOptions {
  readonly dataDir: string;
  readonly recorder: "simulated" | "none";
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Detects and creates the optional capabilities: the simulated recorder on request, ffmpeg media and tesseract OCR when installed. */
export async function createNodeCapabilities(options: NodeCapabilityOptions): Promise<NodeCapabilities> {
  const simulated = options.recorder === "simulated" ? createNodeSimulatedRecorder() : undefined;
  const media = createFfmpegMedia({ dataDir: options.dataDir });
  // On-device OCR when tesseract is installed; STINT_OCR=off turns it off (faster, screens unread).
  const vision = options.env.STINT_OCR === "off" ? undefined : createTesseractVision({ dataDir: options.dataDir });
  return {
    ...(vision === undefined ? {} : { vision }),
    ...(simulated === undefined ? {} : { recorder: simulated.recorder }),
    ...(media === undefined ? {} : { media }),
    bind(host, engine) {
      simulated?.bind(host, engine);
    },
  };
}
