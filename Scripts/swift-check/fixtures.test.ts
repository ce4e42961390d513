// The Swift shell's wire fixtures (MacApp/Tests/StintCoreTests/Fixtures), which StintCore's
// FixtureTests prove it encodes byte for byte, must parse with the engine's own strict
// schemas. Together the two sides pin every field name of the params the shell sends.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  RecordingAudioSchema,
  RecordingHealthSchema,
  RecordingScreenshotSchema,
  RecordingVideoSchema,
  SessionStartParamsSchema,
} from "../../engine/src/session/index.ts";
import { EnrichmentOptionsSchema } from "../../engine/src/enrichment/types.ts";
import { SettingsUpdateParamsSchema } from "../../engine/src/enrichment/settings.ts";
import { dHash, decodePng, encodePng } from "../../engine/src/image/index.ts";
import { OwnerRecordSchema } from "../../engine/node/owner.ts";

const dir = join(import.meta.dirname, "../../MacApp/Tests/StintCoreTests/Fixtures");
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8"));

describe("Swift wire fixtures against the engine's schemas", () => {
  it.each([
    ["session-start", SessionStartParamsSchema],
    ["recording-screenshot", RecordingScreenshotSchema],
    ["recording-audio", RecordingAudioSchema],
    ["recording-video", RecordingVideoSchema],
    ["enrichment-options", EnrichmentOptionsSchema.strict()],
    ["settings-update", SettingsUpdateParamsSchema],
    ["owner-record-app", OwnerRecordSchema.strict()],
  ] as const)("%s parses", (name, schema) => {
    const result = schema.safeParse(fixture(name));
    expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
  });

  it("every recording.health kind parses", () => {
    const samples = fixture("recording-health") as unknown[];
    expect(samples).toHaveLength(6);
    for (const sample of samples) {
      const result = RecordingHealthSchema.safeParse(sample);
      expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
    }
  });

  it("would catch a renamed field (the schemas are strict)", () => {
    const shot = { ...(fixture("recording-screenshot") as Record<string, unknown>), capturedAtMs: 1 };
    expect(RecordingScreenshotSchema.safeParse(shot).success).toBe(false);
  });
});

// The same vectors are hashed by StintCore's `DifferenceHash.hash(rgba:…)` in
// `DifferenceHashTests`: the Mac's dHash and the engine's agree bit for bit.
describe("dHash vectors shared with StintCore", () => {
  const vectors = fixture("dhash-vectors") as { name: string; width: number; height: number; rgba: string; hash: string }[];

  it.each(vectors.map((v) => [v.name, v] as const))("%s", (_name, vector) => {
    const data = new Uint8Array(Buffer.from(vector.rgba, "base64"));
    expect(data.length).toBe(vector.width * vector.height * 4);
    const image = { width: vector.width, height: vector.height, data };
    expect(dHash(image)).toBe(vector.hash);
    // What the engine hashes is the PNG the Mac wrote: the round trip keeps every bit.
    expect(dHash(decodePng(encodePng(image)))).toBe(vector.hash);
  });

  it("the vectors exercise both bit values", () => {
    const bits = vectors.map((v) => BigInt(`0x${v.hash}`).toString(2).padStart(64, "0")).join("");
    expect(bits).toContain("0");
    expect(bits).toContain("1");
    expect(new Set(vectors.map((v) => v.hash)).size).toBe(vectors.length);
  });
});
