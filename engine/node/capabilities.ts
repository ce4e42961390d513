import type { ImagingPort, MediaPort, RecorderPort } from "../src/host/index.ts";

/** Optional capabilities the Node host can offer on this machine. */
export interface NodeCapabilities {
  recorder?: RecorderPort;
  media?: MediaPort;
  imaging?: ImagingPort;
}

export interface NodeCapabilityOptions {
  readonly dataDir: string;
  readonly recorder: "simulated" | "none";
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Detects and creates the optional capabilities (simulated recorder, ffmpeg media). */
export async function createNodeCapabilities(options: NodeCapabilityOptions): Promise<NodeCapabilities> {
  void options;
  return {};
}
