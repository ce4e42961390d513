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
