/**
 * Image code in plain TypeScript: PNG encode/decode (DEFLATE through fflate),
 * JPEG decode (jpeg-js) and the dHash perceptual fingerprint. Used where the host has no
 * native imaging (`HostPort.imaging`): the Node dev host, the browser demo,
 * the simulated recorder and the tests.
 */
export { decodePng, encodePng, isPng, readPngSize, crc32, MAX_DECODE_BYTES, pngDecodeBytes, PngError, type RgbaImage } from "./png.ts";
export { dHash, downscaleGray, hammingDistance } from "./dhash.ts";
export { inflateRaw, inflateZlib, adler32, deflateRaw, deflateZlib, InflateError } from "./zlib.ts";
export { decodeJpeg, isJpeg, readJpegSize, JpegError } from "./jpeg.ts";
