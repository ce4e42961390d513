/**
 * Media that lies about itself: absurd dimensions, truncated headers,
 * decompression bombs, WAVs without samples. Each gets a typed error before
 * anything is decoded or stored, and what is already stored keeps every byte.
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine/index.ts";
import { PRODUCT_FEATURES } from "../../src/product/index.ts";
import { crc32, decodePng, deflateZlib, encodePng } from "../../src/image/index.ts";
import { buildWavHeader, MEDIA_LIMITS, probeImage, probeWav } from "../../src/media/index.ts";
import { runCliIn } from "../cli-capture.ts";
import { storageOf } from "../commands/export.ts";
import { importCommand } from "../commands/import.ts";
import { listCommand } from "../commands/storage-command-set.ts";
import { createNodeHost } from "../node-host.ts";
import { identify } from "../taskerino/media.ts";
import { changes, createGround, losses, snapshot } from "./fixture.ts";

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** A PNG whose header says `width`×`height` and whose data is `idat` (any zlib stream). */
function pngWith(width: number, height: number, bitDepth: number, colorType: number, idat: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([bitDepth, colorType, 0, 0, 0], 8);
  const parts = [new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", idat), chunk("IEND", new Uint8Array())];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A JPEG: SOI, SOF0 with the size, optionally a scan header, scan bytes and EOI. */
function jpegWith(width: number, height: number, complete: boolean): Uint8Array {
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  const sos = [0xff, 0xda, 0x00, 0x0c, 0x03, 1, 0x00, 2, 0x11, 3, 0x11, 0x00, 0x3f, 0x00, 0x12, 0x34, 0xff, 0xd9];
  return new Uint8Array([0xff, 0xd8, ...sof0, ...(complete ? sos : [])]);
}

const realPng = encodePng({ width: 32, height: 20, data: new Uint8Array(32 * 20 * 4).fill(90) });
const silentWav = buildWavHeader({ audioFormat: 1, channels: 1, sampleRate: 16_000, bitsPerSample: 16 }, 0);

/** Every hostile file, with the code it must get. */
const ATTACKS: readonly { name: string; file: string; bytes: () => Uint8Array; code: "media.invalid" | "media.too_large" }[] = [
  // A 16-bit RGBA 8000×8000 PNG of ~0.5 MB: decoding it would take about 1.1 GB.
  { name: "a 16-bit 8000×8000 PNG whose decode needs a gigabyte", file: "deep.png", bytes: () => pngWith(8000, 8000, 16, 6, deflateZlib(new Uint8Array(2_000_000))), code: "media.too_large" },
  { name: "a PNG claiming 65535×65535", file: "vast.png", bytes: () => pngWith(65_535, 65_535, 8, 6, deflateZlib(new Uint8Array(100))), code: "media.too_large" },
  { name: "a PNG claiming 0×20", file: "empty.png", bytes: () => pngWith(0, 20, 8, 6, deflateZlib(new Uint8Array(100))), code: "media.invalid" },
  { name: "a PNG cut off in its data", file: "cut.png", bytes: () => realPng.slice(0, realPng.length - 20), code: "media.invalid" },
  { name: "a PNG with a header that fails its checksum", file: "crc.png", bytes: () => realPng.map((b, i) => (i === 17 ? b ^ 1 : b)), code: "media.invalid" },
  { name: "a PNG with an impossible colour type and depth", file: "depth.png", bytes: () => pngWith(10, 10, 7, 2, deflateZlib(new Uint8Array(100))), code: "media.invalid" },
  { name: "a 31-byte JPEG claiming 65535×65535", file: "vast.jpg", bytes: () => jpegWith(65_535, 65_535, false).slice(0, 31), code: "media.invalid" },
  { name: "a whole JPEG claiming 65535×65535", file: "vast-whole.jpg", bytes: () => jpegWith(65_535, 65_535, true), code: "media.too_large" },
  { name: "a header-only JPEG (no scan)", file: "header.jpg", bytes: () => jpegWith(1280, 720, false), code: "media.invalid" },
  { name: "a JPEG truncated inside its frame header", file: "frame.jpg", bytes: () => jpegWith(1280, 720, true).slice(0, 12), code: "media.invalid" },
];

const WAV_ATTACKS: readonly { name: string; file: string; bytes: () => Uint8Array }[] = [
  { name: "a header-only WAV", file: "silent.wav", bytes: () => silentWav },
  { name: "a WAV with no channels", file: "mono0.wav", bytes: () => new Uint8Array([...buildWavHeader({ audioFormat: 1, channels: 0, sampleRate: 16_000, bitsPerSample: 16 }, 64), ...new Uint8Array(64)]) },
  { name: "a WAV in a compressed format", file: "adpcm.wav", bytes: () => new Uint8Array([...buildWavHeader({ audioFormat: 2, channels: 1, sampleRate: 16_000, bitsPerSample: 16 }, 64), ...new Uint8Array(64)]) },
  { name: "a WAV cut inside its header", file: "cut.wav", bytes: () => silentWav.slice(0, 30) },
];

describe("media bounds", () => {
  it.each(ATTACKS)("$name: $code before any decode", ({ bytes, code }) => {
    const data = bytes();
    expect(() => probeImage(data)).toThrow(expect.objectContaining({ code }));
  });

  it.each(WAV_ATTACKS)("$name: media.invalid", ({ bytes }) => {
    expect(() => probeWav(bytes())).toThrow(expect.objectContaining({ code: "media.invalid" }));
  });

  it("decodes a real screenshot, and refuses a decompression bomb without inflating it", () => {
    expect(probeImage(realPng)).toMatchObject({ mimeType: "image/png", width: 32, height: 20 });
    expect(decodePng(realPng).width).toBe(32);
    // 100×100 grey declares 10,100 bytes of rows; the stream inflates to 64 MB.
    const bomb = pngWith(100, 100, 8, 0, deflateZlib(new Uint8Array(64 * 1024 * 1024)));
    expect(bomb.length).toBeLessThan(100_000);
    expect(probeImage(bomb)).toMatchObject({ width: 100, height: 100 }); // the header itself is honest
    expect(() => decodePng(bomb)).toThrow(/inflates past 10100 bytes/);
    // The 16-bit giant is refused by the decoder too, before it allocates anything.
    expect(() => decodePng(ATTACKS[0]!.bytes())).toThrow(/too large/);
    expect(MEDIA_LIMITS.maxDecodeBytes).toBeLessThan(1024 * 1024 * 1024);
  });

  it("an import of each hostile file fails with one line, stores nothing, and loses nothing stored", async () => {
    const ground = createGround("media");
    try {
      // A session already in the data folder, whose bytes must all survive.
      const good = join(ground.root, "good");
      mkdirSync(good);
      writeFileSync(join(good, "shot-1.png"), realPng);
      const first = await runCliIn(ground.dataDir, [importCommand, listCommand], ["import", good]);
      expect(first.code, first.err).toBe(0);
      const before = snapshot(ground.dataDir);
      const outsideBefore = snapshot(ground.outside);
      let held = 0;
      for (const attack of [...ATTACKS, ...WAV_ATTACKS]) {
        const folder = join(ground.root, `attack-${attack.file}`);
        mkdirSync(folder);
        writeFileSync(join(folder, "shot-1.png"), realPng);
        writeFileSync(join(folder, attack.file), attack.bytes());
        const run = await runCliIn(ground.dataDir, [importCommand, listCommand], ["import", folder]);
        expect(run.code, attack.name).toBe(1);
        expect(run.err.trim().split("\n"), attack.name).toHaveLength(1);
        expect(run.err, attack.name).toContain(attack.file);
        expect(run.err, attack.name).toMatch(/media\.(invalid|too_large)|unsupported_format/);
        expect(losses(before, snapshot(ground.dataDir)), attack.name).toEqual([]);
        held++;
      }
      expect(held).toBe(ATTACKS.length + WAV_ATTACKS.length);
      const engine = await createEngine(createNodeHost({ dataDir: ground.dataDir, env: {} }), PRODUCT_FEATURES);
      try {
        expect((await storageOf(engine).sessions.listMetadata({})).total).toBe(1);
      } finally {
        await engine.stop();
      }
      expect(changes(outsideBefore, snapshot(ground.outside))).toEqual([]);
    } finally {
      ground.cleanup();
    }
  }, 120_000);

  it("a Taskerino import reports each hostile item as missing media instead of storing it", async () => {
    for (const attack of ATTACKS) {
      const found = await identify(attack.bytes(), "screenshot", undefined);
      expect(found, attack.name).toHaveProperty("missing");
    }
    for (const attack of WAV_ATTACKS) {
      const found = await identify(attack.bytes(), "audio", undefined);
      expect(found, attack.name).toHaveProperty("missing");
    }
    expect(await identify(realPng, "screenshot", undefined)).toHaveProperty("media");
  });
});
