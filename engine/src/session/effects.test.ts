import { describe, expect, it } from "vitest";
import { requiredPermissions } from "./effects.ts";
import { SessionConfigSchema } from "./schemas.ts";

const config = (input: Record<string, unknown>) => SessionConfigSchema.parse({ sources: [], ...input });
const audioOff = { microphone: false, systemAudio: false, balance: 0.5, segmentMs: 5000 };

describe("required permissions", () => {
  it("asks only for what the configuration uses", () => {
    expect(requiredPermissions(config({ sources: [{ kind: "display", id: "d" }], audio: audioOff }))).toEqual(["screen"]);
    expect(requiredPermissions(config({ sources: [{ kind: "window", id: "w" }] }))).toEqual(["screen", "microphone"]);
    expect(requiredPermissions(config({ screenshots: { enabled: false, intervalMs: 1000 } }))).toEqual(["microphone"]);
    expect(requiredPermissions(config({ screenshots: { enabled: false, intervalMs: 1000 }, audio: { ...audioOff, systemAudio: true } }))).toEqual(["screen"]);
    expect(
      requiredPermissions(config({ sources: [{ kind: "camera", id: "c" }], screenshots: { enabled: false, intervalMs: 1000 }, video: { enabled: true, fps: 30, segmentSeconds: 10 }, audio: audioOff })),
    ).toEqual(["camera"]);
    expect(requiredPermissions(config({ sources: [{ kind: "display", id: "d" }, { kind: "camera", id: "c" }], video: { enabled: true, fps: 30, segmentSeconds: 10 } })).sort()).toEqual(["camera", "microphone", "screen"]);
    expect(requiredPermissions(config({ screenshots: { enabled: false, intervalMs: 1000 }, audio: audioOff }))).toEqual([]);
  });
});
