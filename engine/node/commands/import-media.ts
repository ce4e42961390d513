import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { EngineError } from "../../src/bridge/index.ts";
import { decodePng, dHash, isJpeg, isPng } from "../../src/image/index.ts";
import { probeImage, probeWav } from "../../src/media/index.ts";
import { CommandFailure } from "./command.ts";

/** A screenshot read from the folder, checked and measured. */
export interface ImportedImage {
  readonly kind: "image";
  readonly name: string;
  /** Read again when stored, so a big folder is never held in memory at once. */
  readonly path: string;
  readonly size: number;
  readonly mimeType: "image/png" | "image/jpeg";
  readonly width: number;
  readonly height: number;
  /** dHash for PNG (what the session feature dedups with); JPEG has no decoder here. */
  readonly perceptualHash?: string;
  readonly modifiedAt: number;
}

/** An audio segment read from the folder: format and duration from the WAV header. */
export interface ImportedAudio {
  readonly kind: "audio";
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly sampleRate: number;
  readonly channels: number;
  readonly durationMs: number;
  readonly modifiedAt: number;
}

export type ImportedFile = ImportedImage | ImportedAudio;

const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg"]);
const AUDIO_EXTENSIONS = new Set([".wav", ".wave"]);

/** Width and height from a JPEG's start-of-frame marker (baseline, progressive or lossless). */
export function readJpegSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1]!;
    // Fill bytes and markers without a length.
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined;
    const length = (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    if (length < 2) return undefined;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (offset + 9 > bytes.length) return undefined;
      const height = (bytes[offset + 5]! << 8) | bytes[offset + 6]!;
      const width = (bytes[offset + 7]! << 8) | bytes[offset + 8]!;
      return width > 0 && height > 0 ? { width, height } : undefined;
    }
    offset += 2 + length;
  }
  return undefined;
}

const REPLACE = "Remove or replace the file and import again.";
const reason = (error: unknown) => (error instanceof EngineError ? `${error.message} [${error.code}]` : error instanceof Error ? error.message : String(error));

/** Checked by its header first (size, truncation, decode memory), so nothing absurd is ever decoded or stored. */
function readImage(path: string, name: string, modifiedAt: number): ImportedImage {
  const bytes = new Uint8Array(readFileSync(path));
  let probed;
  try {
    probed = probeImage(bytes);
  } catch (error) {
    const kind = isPng(bytes) ? "PNG" : isJpeg(bytes) ? "JPEG" : "PNG or JPEG image";
    throw new CommandFailure(`${name} is not a readable ${kind}: ${reason(error)}`, REPLACE);
  }
  let perceptualHash: string | undefined;
  if (probed.mimeType === "image/png") {
    try {
      perceptualHash = dHash(decodePng(bytes));
    } catch (error) {
      throw new CommandFailure(`${name} is not a readable PNG (${reason(error)})`, REPLACE);
    }
  }
  return { kind: "image", name, path, size: bytes.length, mimeType: probed.mimeType, width: probed.width, height: probed.height, ...(perceptualHash === undefined ? {} : { perceptualHash }), modifiedAt };
}

function readAudio(path: string, name: string, modifiedAt: number): ImportedAudio {
  const bytes = new Uint8Array(readFileSync(path));
  let info;
  try {
    info = probeWav(bytes, bytes.length);
  } catch (error) {
    throw new CommandFailure(`${name} is not a readable WAV file: ${reason(error)}`, REPLACE);
  }
  return { kind: "audio", name, path, size: bytes.length, sampleRate: info.sampleRate, channels: info.channels, durationMs: Math.round(info.durationMs), modifiedAt };
}

const byName = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/**
 * Reads every PNG, JPEG and WAV file directly in `folder` (not in sub-folders),
 * checked before anything is stored, so a bad file fails the import up front.
 * Ordered by name (numbers compared as numbers) or by modification time.
 */
export function readMediaFolder(folder: string, order: "name" | "time", onFile?: (index: number, total: number, name: string) => void): ImportedFile[] {
  let entries: string[];
  try {
    if (!statSync(folder).isDirectory()) throw new CommandFailure(`${folder} is not a folder`, "Give a folder of PNG/JPEG screenshots and WAV segments.");
    entries = readdirSync(folder);
  } catch (error) {
    if (error instanceof CommandFailure) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CommandFailure(`cannot read the folder ${folder} (${code ?? String(error)})`, code === "ENOENT" ? "Check the path." : "Check that it is readable.");
  }
  const candidates = entries
    .filter((name) => !name.startsWith("."))
    .map((name) => ({ name, path: join(folder, name), ext: extname(name).toLowerCase() }))
    .filter((entry) => IMAGE_EXTENSIONS.has(entry.ext) || AUDIO_EXTENSIONS.has(entry.ext))
    .map((entry) => {
      const stat = statSync(entry.path);
      return { ...entry, isFile: stat.isFile(), modifiedAt: Math.round(stat.mtimeMs) };
    })
    .filter((entry) => entry.isFile);
  if (candidates.length === 0) throw new CommandFailure(`no screenshots (PNG/JPEG) or audio segments (WAV) in ${folder}`, "Point at the folder that holds the files.");
  candidates.sort((a, b) => (order === "time" ? a.modifiedAt - b.modifiedAt || byName.compare(a.name, b.name) : byName.compare(a.name, b.name)));
  return candidates.map((entry, index) => {
    onFile?.(index, candidates.length, entry.name);
    const name = basename(entry.path);
    return IMAGE_EXTENSIONS.has(entry.ext) ? readImage(entry.path, name, entry.modifiedAt) : readAudio(entry.path, name, entry.modifiedAt);
  });
}
