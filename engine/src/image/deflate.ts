/**
 * A small DEFLATE encoder: greedy LZ77 with one hash head per 3-byte prefix,
 * coded with the fixed Huffman table. Not zlib's ratio, but synthetic and
 * screen-like images (flat areas, repeated rows) shrink by an order of magnitude.
 */
import { adler32, DIST_BASE, DIST_EXTRA, LENGTH_BASE, LENGTH_EXTRA } from "./inflate.ts";

const WINDOW = 32768;
const MAX_MATCH = 258;
const HASH_BITS = 15;

class BitWriter {
  private buffer: Uint8Array;
  private length = 0;
  private bits = 0;
  private count = 0;

  constructor(capacity: number) {
    this.buffer = new Uint8Array(Math.max(64, capacity));
  }

  write(value: number, count: number): void {
    this.bits |= value << this.count;
    this.count += count;
    while (this.count >= 8) {
      this.byte(this.bits & 255);
      this.bits >>>= 8;
      this.count -= 8;
    }
  }

  /** Huffman codes go most significant bit first. */
  writeReversed(code: number, count: number): void {
    let reversed = 0;
    for (let i = 0; i < count; i++) reversed |= ((code >>> i) & 1) << (count - 1 - i);
    this.write(reversed, count);
  }

  byte(value: number): void {
    if (this.length === this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = value;
  }

  finish(): Uint8Array {
    if (this.count > 0) this.byte(this.bits & 255);
    this.bits = 0;
    this.count = 0;
    return this.buffer.subarray(0, this.length);
  }
}

function writeLiteral(writer: BitWriter, symbol: number): void {
  if (symbol < 144) writer.writeReversed(0x30 + symbol, 8);
  else if (symbol < 256) writer.writeReversed(0x190 + symbol - 144, 9);
  else if (symbol < 280) writer.writeReversed(symbol - 256, 7);
  else writer.writeReversed(0xc0 + symbol - 280, 8);
}

const LENGTH_SYMBOL = new Uint16Array(MAX_MATCH + 1);
const DIST_SYMBOL_SMALL = new Uint8Array(513);
for (let i = 0; i < 29; i++) {
  const end = i === 28 ? MAX_MATCH + 1 : LENGTH_BASE[i + 1]!;
  for (let length = LENGTH_BASE[i]!; length < end; length++) LENGTH_SYMBOL[length] = i;
}
LENGTH_SYMBOL[MAX_MATCH] = 28;
for (let i = 0; i < 30; i++) {
  const end = i === 29 ? 32769 : DIST_BASE[i + 1]!;
  for (let d = DIST_BASE[i]!; d < end && d <= 512; d++) DIST_SYMBOL_SMALL[d] = i;
}

function distanceSymbol(distance: number): number {
  if (distance <= 512) return DIST_SYMBOL_SMALL[distance]!;
  let symbol = 18;
  while (symbol < 29 && DIST_BASE[symbol + 1]! <= distance) symbol++;
  return symbol;
}

function writeMatch(writer: BitWriter, length: number, distance: number): void {
  const lengthIndex = LENGTH_SYMBOL[length]!;
  writeLiteral(writer, 257 + lengthIndex);
  const lengthExtra = LENGTH_EXTRA[lengthIndex]!;
  if (lengthExtra > 0) writer.write(length - LENGTH_BASE[lengthIndex]!, lengthExtra);
  const distanceIndex = distanceSymbol(distance);
  writer.writeReversed(distanceIndex, 5);
  const distanceExtra = DIST_EXTRA[distanceIndex]!;
  if (distanceExtra > 0) writer.write(distance - DIST_BASE[distanceIndex]!, distanceExtra);
}

/** Encodes `input` as one raw DEFLATE block with fixed Huffman codes. */
export function deflateRaw(input: Uint8Array): Uint8Array {
  const writer = new BitWriter(input.length / 4 + 64);
  writer.write(1, 1);
  writer.write(1, 2);
  const head = new Int32Array(1 << HASH_BITS).fill(-1);
  const hash = (i: number) => (((input[i]! << 10) ^ (input[i + 1]! << 5) ^ input[i + 2]!) * 2654435761) >>> (32 - HASH_BITS);
  let i = 0;
  while (i < input.length) {
    let bestLength = 0;
    let bestDistance = 0;
    if (i + 3 <= input.length) {
      const h = hash(i);
      const candidate = head[h]!;
      head[h] = i;
      if (candidate >= 0 && i - candidate <= WINDOW) {
        const limit = Math.min(MAX_MATCH, input.length - i);
        let length = 0;
        while (length < limit && input[candidate + length] === input[i + length]) length++;
        if (length >= 3) {
          bestLength = length;
          bestDistance = i - candidate;
        }
      }
    }
    if (bestLength >= 3) {
      writeMatch(writer, bestLength, bestDistance);
      // Index a few positions inside the match so later runs still find it, without hashing every byte.
      const end = i + bestLength;
      for (let j = i + 1; j < end && j + 3 <= input.length; j += j < i + 8 ? 1 : 16) head[hash(j)] = j;
      i = end;
    } else {
      writeLiteral(writer, input[i]!);
      i++;
    }
  }
  writeLiteral(writer, 256);
  return writer.finish();
}

/** Encodes `input` as a zlib stream (header, fixed-Huffman DEFLATE, Adler-32). */
export function deflateZlib(input: Uint8Array): Uint8Array {
  const body = deflateRaw(input);
  const out = new Uint8Array(body.length + 6);
  out[0] = 0x78;
  out[1] = 0x01;
  out.set(body, 2);
  const checksum = adler32(input);
  out[out.length - 4] = checksum >>> 24;
  out[out.length - 3] = (checksum >>> 16) & 255;
  out[out.length - 2] = (checksum >>> 8) & 255;
  out[out.length - 1] = checksum & 255;
  return out;
}
