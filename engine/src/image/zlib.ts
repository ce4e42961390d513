/**
 * DEFLATE (RFC 1951) and its zlib wrapper (RFC 1950) through `fflate`, a pure
 * JavaScript codec that runs in every host (JavaScriptCore, Node, browsers).
 */
import { deflateSync, inflateSync, unzlibSync, zlibSync } from "fflate";

/** Thrown for malformed compressed data. */
export class InflateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InflateError";
  }
}

export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; ) {
    // 5552 bytes is the most that can be summed before the 32-bit sums must be reduced.
    const end = Math.min(bytes.length, i + 5552);
    for (; i < end; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function inflating(body: () => Uint8Array): Uint8Array {
  try {
    return body();
  } catch (error) {
    throw new InflateError(`corrupt compressed data: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function inflateRaw(input: Uint8Array): Uint8Array {
  return inflating(() => inflateSync(input));
}

/**
 * Inflates a zlib stream and checks its Adler-32 (fflate does not). With
 * `maxOutput`, the output buffer is allocated once at that size plus one byte
 * and never grows: a stream that inflates further is refused.
 */
export function inflateZlib(input: Uint8Array, maxOutput?: number): Uint8Array {
  if (input.length < 6) throw new InflateError("zlib stream too short");
  const out = inflating(() => (maxOutput === undefined ? unzlibSync(input) : unzlibSync(input, { out: new Uint8Array(maxOutput + 1) })));
  if (maxOutput !== undefined && out.length > maxOutput) throw new InflateError(`zlib stream inflates past ${maxOutput} bytes`);
  const end = input.length;
  const expected = ((input[end - 4]! << 24) | (input[end - 3]! << 16) | (input[end - 2]! << 8) | input[end - 1]!) >>> 0;
  if (adler32(out) !== expected) throw new InflateError("zlib checksum mismatch");
  return out;
}

export function deflateRaw(input: Uint8Array): Uint8Array {
  return deflateSync(input, { level: 6 });
}

export function deflateZlib(input: Uint8Array): Uint8Array {
  return zlibSync(input, { level: 6 });
}
