/**
 * Media processing: WAV concatenation (streamed, bounded memory), video and
 * audio merge through the host's media capability, and WAV helpers.
 * Emits `media.progress` `{ sessionId, stage: "concat"|"merge"|"done"|"skipped", progress, detail? }`.
 */
export { BackgroundMediaProcessor, type MediaInput, type MediaProgress, type MediaResult } from "./processor.ts";
export { concatWavFiles, type ConcatProgress } from "./concat.ts";
export { buildWavHeader, describeFormat, encodeWav, parseWavHeader, sameFormat, splitWav, WAV_HEADER_BYTES, wavPeak, type WavFormat, type WavInfo } from "./wav.ts";
export { MEDIA_LIMITS, probeImage, probeWav, type ProbedImage } from "./probe.ts";
