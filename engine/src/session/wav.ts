/** Just enough RIFF/WAVE parsing to read a segment's format and peak level on hosts that did not report them. */

export interface WavInfo {
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  readonly dataOffset: number;
  readonly dataLength: number;
  readonly durationMs: number;
}

export function parseWav(bytes: Uint8Array): WavInfo | undefined {
  if (bytes.length < 44) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  if (tag(0) !== "RIFF" || tag(8) !== "WAVE") return undefined;
  let at = 12;
  let format: { channels: number; sampleRate: number; bits: number } | undefined;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    if (id === "fmt ") {
      format = { channels: view.getUint16(at + 10, true), sampleRate: view.getUint32(at + 12, true), bits: view.getUint16(at + 22, true) };
    } else if (id === "data" && format !== undefined) {
      const dataLength = Math.min(size, bytes.length - at - 8);
      const frameBytes = (format.bits / 8) * format.channels;
      return {
        sampleRate: format.sampleRate,
        channels: format.channels,
        bitsPerSample: format.bits,
        dataOffset: at + 8,
        dataLength,
        durationMs: frameBytes > 0 ? Math.round((dataLength / frameBytes / format.sampleRate) * 1000) : 0,
      };
    }
    at += 8 + size + (size & 1);
  }
  return undefined;
}

/** Peak absolute sample of 16-bit PCM data, 0–1. */
export function wavPeak(bytes: Uint8Array, info: WavInfo): number {
  if (info.bitsPerSample !== 16) return 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let peak = 0;
  for (let at = info.dataOffset; at + 1 < info.dataOffset + info.dataLength; at += 2) {
    const sample = Math.abs(view.getInt16(at, true));
    if (sample > peak) peak = sample;
  }
  return Math.min(1, peak / 32768);
}
