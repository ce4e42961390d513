/**
 * Contract cases for the optional on-device intelligence capabilities
 * (`vision`, `speech`, `languageModel`). Each case runs on every host that
 * offers the capability and passes trivially on hosts that do not (the
 * capability is detected, never assumed). Part of `hostContractCases`.
 */
import * as assert from "../testing/assert.ts";
import { encodePng } from "../image/index.ts";
import { drawText, encodeWav, renderAudio } from "../simulated-recorder/index.ts";
import type { HostPort } from "./host-port.ts";
import type { ContractCase, ContractEnv } from "./host.contract.ts";

/** The words drawn into the contract image, one line each; recognisers must find most of them. */
const OCR_LINES = ["Quarterly invoice review", "Rocket launch checklist", "Planning meeting notes"];
const OCR_SCALE = 3;
const OCR_TOP = 40;
const OCR_LINE_STEP = 60;

function textImage(): { png: Uint8Array; width: number; height: number } {
  const width = 800;
  const height = 240;
  const data = new Uint8Array(width * height * 3).fill(244);
  OCR_LINES.forEach((line, i) => drawText(data, width, height, 30, OCR_TOP + i * OCR_LINE_STEP, line, OCR_SCALE, [24, 24, 32]));
  return { png: encodePng({ width, height, data, channels: 3 }), width, height };
}

const wordsOf = (text: string): string[] => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

async function visionCase(host: HostPort, env: ContractEnv): Promise<void> {
  const vision = host.vision;
  if (vision === undefined) return;
  const image = textImage();
  await host.files.writeAtomic(`${env.dir}/text.png`, image.png);
  const result = await vision.recognizeText(`${env.dir}/text.png`);
  assert.equal(typeof result.text, "string");
  assert.ok(result.confidence >= 0 && result.confidence <= 1, `confidence in 0–1: ${result.confidence}`);
  assert.ok(result.lines.length >= OCR_LINES.length, `found ${result.lines.length} lines: ${JSON.stringify(result.text)}`);
  const expected = OCR_LINES.flatMap(wordsOf);
  const found = new Set(wordsOf(result.text));
  const hits = expected.filter((w) => found.has(w));
  assert.ok(hits.length >= expected.length - 2, `recognised ${hits.length}/${expected.length} words: ${JSON.stringify(result.text)}`);
  for (const line of result.lines) {
    const { x, y, width, height } = line.box;
    assert.ok(x >= 0 && y >= 0 && width > 0 && height > 0 && x + width <= image.width && y + height <= image.height, `box inside the image: ${JSON.stringify(line.box)}`);
    assert.ok(line.confidence >= 0 && line.confidence <= 1, `line confidence in 0–1: ${line.confidence}`);
  }
  // Each known line's box sits where it was drawn (what redaction relies on).
  OCR_LINES.forEach((drawn, i) => {
    const match = result.lines.find((line) => wordsOf(line.text).some((w) => wordsOf(drawn).includes(w)));
    assert.ok(match !== undefined, `a line for "${drawn}"`);
    const top = OCR_TOP + i * OCR_LINE_STEP;
    assert.ok(Math.abs(match.box.y - top) <= 12 && match.box.x <= 60, `"${drawn}" boxed near (30, ${top}): ${JSON.stringify(match.box)}`);
  });
  await assert.rejects(() => vision.recognizeText(`${env.dir}/missing.png`), "ENOENT", "a missing image");
  await host.files.writeAtomic(`${env.dir}/not-an-image.png`, new Uint8Array(64).fill(7));
  await assert.rejects(() => vision.recognizeText(`${env.dir}/not-an-image.png`), undefined, "bytes that are not an image");
}

async function speechCase(host: HostPort, env: ContractEnv): Promise<void> {
  const speech = host.speech;
  if (speech === undefined) return;
  const quiet = renderAudio("room", 1500, 16_000, 3).samples;
  await host.files.writeAtomic(`${env.dir}/quiet.wav`, encodeWav(quiet, 16_000));
  const segments = await speech.transcribe(`${env.dir}/quiet.wav`, { locale: "en-US" });
  assert.ok(Array.isArray(segments), "an array of segments");
  for (const s of segments) {
    assert.ok(s.startMs >= 0 && s.endMs >= s.startMs && s.endMs <= 2500 && typeof s.text === "string", `segment well formed: ${JSON.stringify(s)}`);
  }
  await assert.rejects(() => speech.transcribe(`${env.dir}/missing.wav`), "ENOENT", "a missing file");
  if (env.speechSample !== undefined) {
    const heard = (await speech.transcribe(env.speechSample.path, { locale: "en-US" })).map((s) => s.text).join(" ");
    const said = wordsOf(env.speechSample.text);
    const got = new Set(wordsOf(heard));
    const hits = said.filter((w) => got.has(w)).length;
    assert.ok(hits * 2 >= said.length, `heard ${hits}/${said.length} words of the sample: ${JSON.stringify(heard)}`);
  }
}

const ANSWER_SCHEMA = {
  type: "object",
  properties: {
    color: { type: "string", enum: ["red", "green", "blue"] },
    count: { type: "integer" },
  },
  required: ["color", "count"],
  additionalProperties: false,
} as const;

async function languageModelCase(host: HostPort): Promise<void> {
  const model = host.languageModel;
  if (model === undefined) return;
  const status = await model.status();
  assert.equal(typeof status.model, "string");
  assert.ok(Number.isInteger(status.contextTokens) && status.contextTokens > 0, `context size: ${status.contextTokens}`);
  const request = {
    instructions: "Answer with the requested fields only.",
    prompt: "The sky on a clear day has a color. Report that color and the number three.",
    schema: ANSWER_SCHEMA,
    maxOutputTokens: 100,
  };
  if (!status.available) {
    assert.ok(typeof status.reason === "string" && status.reason !== "", "an unavailable model says why");
    await assert.rejects(() => model.generate(request), "unavailable");
    return;
  }
  const result = await model.generate(request);
  const json = result.json as { color?: unknown; count?: unknown };
  assert.ok(typeof json === "object" && json !== null, `an object: ${JSON.stringify(result.json)}`);
  assert.ok(["red", "green", "blue"].includes(json.color as string), `color from the enum: ${JSON.stringify(json.color)}`);
  assert.ok(Number.isInteger(json.count), `an integer count: ${JSON.stringify(json.count)}`);
}

export const intelligenceContractCases: readonly ContractCase[] = [
  { name: "vision: recognizes drawn text with line boxes where it was drawn; rejects missing and non-image files", run: visionCase },
  { name: "speech: transcribes to well-formed segments; rejects a missing file", run: speechCase },
  { name: "languageModel: reports its context size and answers to a JSON schema, or says why it is unavailable", run: (host) => languageModelCase(host) },
];
