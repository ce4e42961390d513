import { EngineError } from "../bridge/index.ts";

/** PCM format of a WAV file. */
export interface WavFormat {
  /** 1 = integer PCM, 3 = IEEE float. */
  readonly audioFormat: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
}

/** Where a WAV file's samples are. */
export interface WavInfo extends WavFormat {
  readonly dataOffset: number;
  readonly dataLength: number;
  readonly durationMs: number;
}

export const WAV_HEADER_BYTES = 44;

function ascii(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset] ?? 0, bytes[offset + 1] ?? 0, bytes[offset + 2] ?? 0, bytes[offset + 3] ?? 0);
}

/**
 * Reads the RIFF chunks up to `data`. Needs only the head of the file
 * (header plus any chunks before `data`); the data length is clamped to
 * `fileSize` so a header left at 0 or 0xFFFFFFFF by a crashed writer still
 * yields the samples that are there.
 */
export function parseWavHeader(head: Uint8Array, fileSize = head.length): WavInfo {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < 12 || ascii(head, 0) !== "RIFF" || ascii(head, 8) !== "WAVE") {
    throw new EngineError("media.unsupported_format", "not a RIFF/WAVE file");
  }
  let offset = 12;
  let format: WavFormat | undefined;
  while (offset + 8 <= head.length) {
    const id = ascii(head, offset);
    const size = view.getUint32(offset + 4, true);
    if (id === "fmt ") {
      if (offset + 24 > head.length) break;
      let audioFormat = view.getUint16(offset + 8, true);
      // WAVE_FORMAT_EXTENSIBLE carries the real format in its sub-format GUID.
      if (audioFormat === 0xfffe && size >= 40 && offset + 34 <= head.length) audioFormat = view.getUint16(offset + 32, true);
      format = {
        audioFormat,
        channels: view.getUint16(offset + 10, true),
        sampleRate: view.getUint32(offset + 12, true),
        bitsPerSample: view.getUint16(offset + 22, true),
      };
    } else if (id === "data") {
      if (format === undefined) throw new EngineError("media.unsupported_format", "WAV data chunk before fmt chunk");
      const dataOffset = offset + 8;
      const available = Math.max(0, fileSize - dataOffset);
      const dataLength = size === 0 || size === 0xffffffff || size > available ? available : size;
      const blockAlign = (format.channels * format.bitsPerSample) / 8;
      const usable = dataLength - (dataLength % Math.max(1, blockAlign));
      const durationMs = format.sampleRate > 0 && blockAlign > 0 ? (usable / blockAlign / format.sampleRate) * 1000 : 0;
      return { ...format, dataOffset, dataLength: usable, durationMs };
    }
    offset += 8 + size + (size % 2);
  }
  throw new EngineError("media.unsupported_format", "WAV file has no data chunk within its head");
}

/** A canonical 44-byte PCM header for `dataLength` bytes of samples. */
export function buildWavHeader(format: WavFormat, dataLength: number): Uint8Array {
  const header = new Uint8Array(WAV_HEADER_BYTES);
  const view = new DataView(header.buffer);
  const write = (offset: number, text: string) => {
    for (let i = 0; i < 4; i++) header[offset + i] = text.charCodeAt(i);
  };
  const blockAlign = (format.channels * format.bitsPerSample) / 8;
  write(0, "RIFF");
  view.setUint32(4, Math.min(0xffffffff, 36 + dataLength), true);
  write(8, "WAVE");
  write(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, format.audioFormat, true);
  view.setUint16(22, format.channels, true);
  view.setUint32(24, format.sampleRate, true);
  view.setUint32(28, format.sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, format.bitsPerSample, true);
  write(36, "data");
  view.setUint32(40, Math.min(0xffffffff, dataLength), true);
  return header;
}

/** 16-bit PCM samples (interleaved when `channels` > 1) as a complete WAV file. */
export function encodeWav(samples: Int16Array, sampleRate: number, channels = 1): Uint8Array {
  const out = new Uint8Array(WAV_HEADER_BYTES + samples.length * 2);
  out.set(buildWavHeader({ audioFormat: 1, channels, sampleRate, bitsPerSample: 16 }, samples.length * 2), 0);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(WAV_HEADER_BYTES + i * 2, samples[i]!, true);
  return out;
}

/** Peak absolute sample of 16-bit PCM data, 0–1; other sample formats report 1 (level unknown, not silent). */
export function wavPeak(bytes: Uint8Array, info: WavInfo): number {
  if (info.bitsPerSample !== 16 || info.audioFormat !== 1) return 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = Math.min(bytes.length, info.dataOffset + info.dataLength);
  let peak = 0;
  for (let at = info.dataOffset; at + 1 < end; at += 2) {
    const sample = Math.abs(view.getInt16(at, true));
    if (sample > peak) peak = sample;
  }
  return Math.min(1, peak / 32768);
}

export function sameFormat(a: WavFormat, b: WavFormat): boolean {
  return a.audioFormat === b.audioFormat && a.channels === b.channels && a.sampleRate === b.sampleRate && a.bitsPerSample === b.bitsPerSample;
}

export function describeFormat(format: WavFormat): string {
  return `${format.sampleRate} Hz, ${format.channels} ch, ${format.bitsPerSample}-bit ${format.audioFormat === 3 ? "float" : "PCM"}`;
}

/**
 * Splits a WAV file into standalone WAV files of at most `maxBytes` each
 * (for upload limits), on sample-frame boundaries. Returns each part with
 * its offset in milliseconds.
 */
export function splitWav(bytes: Uint8Array, maxBytes: number): { readonly bytes: Uint8Array; readonly offsetMs: number; readonly durationMs: number }[] {
  const info = parseWavHeader(bytes);
  if (bytes.length <= maxBytes) return [{ bytes, offsetMs: 0, durationMs: info.durationMs }];
  const blockAlign = (info.channels * info.bitsPerSample) / 8;
  const bytesPerMs = (info.sampleRate * blockAlign) / 1000;
  const perPart = Math.max(blockAlign, Math.floor((maxBytes - WAV_HEADER_BYTES) / blockAlign) * blockAlign);
  const parts: { bytes: Uint8Array; offsetMs: number; durationMs: number }[] = [];
  for (let start = 0; start < info.dataLength; start += perPart) {
    const length = Math.min(perPart, info.dataLength - start);
    const part = new Uint8Array(WAV_HEADER_BYTES + length);
    part.set(buildWavHeader(info, length), 0);
    part.set(bytes.subarray(info.dataOffset + start, info.dataOffset + start + length), WAV_HEADER_BYTES);
    parts.push({ bytes: part, offsetMs: start / bytesPerMs, durationMs: length / bytesPerMs });
  }
  return parts;
}
