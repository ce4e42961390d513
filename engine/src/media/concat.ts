import { EngineError } from "../bridge/index.ts";
import type { CryptoPort, FilesPort, WriteResult } from "../host/index.ts";
import { buildWavHeader, describeFormat, parseWavHeader, sameFormat, WAV_HEADER_BYTES, type WavFormat } from "./wav.ts";

export interface ConcatProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * Concatenates WAV segments over the host's files port, one segment in
 * memory at a time. The samples are appended to `{output}.partial` behind a
 * provisional header; the header is settled last (rewritten when the
 * provisional length was wrong) and only then is the file renamed into place,
 * so a crash never leaves a plausible-looking but truncated `output`.
 * Segments of another format are refused, naming the segment.
 */
export async function concatWavFiles(
  files: FilesPort,
  inputs: readonly string[],
  output: string,
  options: { readonly signal?: AbortSignal; readonly onProgress?: (progress: ConcatProgress) => void; readonly crypto: Pick<CryptoPort, "sha256File"> },
): Promise<WriteResult & { readonly durationMs: number }> {
  if (inputs.length === 0) throw new EngineError("media.failed", "no audio segments to concatenate");
  const partial = `${output}.partial`;
  if (output.includes("/")) await files.mkdirp(output.slice(0, output.lastIndexOf("/")));
  await files.remove(partial);
  let format: WavFormat | undefined;
  let provisional = 0;
  let written = 0;
  for (const [index, input] of inputs.entries()) {
    if (options.signal?.aborted) {
      await files.remove(partial);
      throw new EngineError("enrichment.cancelled", "media processing cancelled");
    }
    const bytes = await files.read(input);
    const info = parseWavHeader(bytes);
    if (format === undefined) {
      format = info;
      // Guess the total from the sizes on disk; fixed at the end when a segment had a longer header.
      for (const path of inputs) provisional += Math.max(0, ((await files.stat(path))?.size ?? WAV_HEADER_BYTES) - WAV_HEADER_BYTES);
      await files.append(partial, buildWavHeader(format, provisional));
    } else if (!sameFormat(format, info)) {
      await files.remove(partial);
      throw new EngineError("media.unsupported_format", `audio segment ${index} (${input}) is ${describeFormat(info)}; the session's audio is ${describeFormat(format)}`, { data: { segment: index, path: input } });
    }
    await files.append(partial, bytes.subarray(info.dataOffset, info.dataOffset + info.dataLength));
    written += info.dataLength;
    options.onProgress?.({ done: index + 1, total: inputs.length });
  }
  if (written !== provisional) {
    const whole = await files.read(partial);
    whole.set(buildWavHeader(format!, written), 0);
    await files.writeAtomic(partial, whole.subarray(0, WAV_HEADER_BYTES + written));
  }
  await files.rename(partial, output);
  await files.flushDir(output.includes("/") ? output.slice(0, output.lastIndexOf("/")) : ".");
  const blockAlign = (format!.channels * format!.bitsPerSample) / 8;
  // The host hashes the file streamed; the engine never holds the whole session's audio.
  const result = await options.crypto.sha256File(output);
  return {
    size: result.size,
    sha256: result.sha256,
    durationMs: (written / blockAlign / format!.sampleRate) * 1000,
  };
}
