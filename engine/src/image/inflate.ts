/**
 * A small DEFLATE decoder (RFC 1951) with the zlib wrapper (RFC 1950), enough
 * to read PNG image data on hosts that cannot decode images natively.
 */

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

export { LENGTH_BASE, LENGTH_EXTRA, DIST_BASE, DIST_EXTRA };

/** Thrown for malformed compressed data. */
export class InflateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InflateError";
  }
}

interface HuffmanTable {
  /** Indexed by the next `bits` input bits; entry = symbol << 4 | code length (0 = invalid). */
  readonly table: Int32Array;
  readonly bits: number;
}

function reverseBits(code: number, length: number): number {
  let out = 0;
  for (let i = 0; i < length; i++) {
    out = (out << 1) | (code & 1);
    code >>>= 1;
  }
  return out;
}

function buildTable(lengths: ArrayLike<number>): HuffmanTable {
  let maxLength = 0;
  const counts = new Int32Array(16);
  for (let i = 0; i < lengths.length; i++) {
    const length = lengths[i]!;
    counts[length]!++;
    if (length > maxLength) maxLength = length;
  }
  counts[0] = 0;
  const bits = Math.max(1, maxLength);
  const table = new Int32Array(1 << bits);
  const next = new Int32Array(16);
  let code = 0;
  for (let length = 1; length <= 15; length++) {
    code = (code + counts[length - 1]!) << 1;
    next[length] = code;
  }
  for (let symbol = 0; symbol < lengths.length; symbol++) {
    const length = lengths[symbol]!;
    if (length === 0) continue;
    const reversed = reverseBits(next[length]!++, length);
    const entry = (symbol << 4) | length;
    for (let i = reversed; i < table.length; i += 1 << length) table[i] = entry;
  }
  return { table, bits };
}

let fixedTables: { literal: HuffmanTable; distance: HuffmanTable } | undefined;
function getFixedTables() {
  if (fixedTables === undefined) {
    const lengths = new Uint8Array(288);
    lengths.fill(8, 0, 144);
    lengths.fill(9, 144, 256);
    lengths.fill(7, 256, 280);
    lengths.fill(8, 280, 288);
    fixedTables = { literal: buildTable(lengths), distance: buildTable(new Uint8Array(30).fill(5)) };
  }
  return fixedTables;
}

/** Decodes a raw DEFLATE stream. `sizeHint` preallocates the output. */
export function inflateRaw(input: Uint8Array, sizeHint = input.length * 4): Uint8Array {
  let position = 0;
  let bitBuffer = 0;
  let bitCount = 0;
  let out = new Uint8Array(Math.max(1024, sizeHint));
  let outLength = 0;

  const need = (count: number) => {
    while (bitCount < count) {
      // Past the end we feed zeros; a truncated stream is caught by the end-of-input check below.
      const byte = position < input.length ? input[position]! : 0;
      position++;
      bitBuffer |= byte << bitCount;
      bitCount += 8;
    }
  };
  const take = (count: number): number => {
    if (count === 0) return 0;
    need(count);
    const value = bitBuffer & ((1 << count) - 1);
    bitBuffer >>>= count;
    bitCount -= count;
    return value;
  };
  const decode = (huffman: HuffmanTable): number => {
    need(huffman.bits);
    const entry = huffman.table[bitBuffer & ((1 << huffman.bits) - 1)]!;
    const length = entry & 15;
    if (length === 0) throw new InflateError("invalid Huffman code");
    bitBuffer >>>= length;
    bitCount -= length;
    return entry >> 4;
  };
  const ensure = (extra: number) => {
    if (outLength + extra <= out.length) return;
    let size = out.length * 2;
    while (size < outLength + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(out.subarray(0, outLength));
    out = grown;
  };

  for (;;) {
    const final = take(1);
    const type = take(2);
    if (type === 0) {
      bitBuffer = 0;
      bitCount = 0;
      if (position + 4 > input.length) throw new InflateError("truncated stored block");
      const length = input[position]! | (input[position + 1]! << 8);
      const inverse = input[position + 2]! | (input[position + 3]! << 8);
      position += 4;
      if ((length ^ 0xffff) !== inverse) throw new InflateError("stored block length check failed");
      if (position + length > input.length) throw new InflateError("truncated stored block");
      ensure(length);
      out.set(input.subarray(position, position + length), outLength);
      outLength += length;
      position += length;
    } else if (type === 1 || type === 2) {
      let literal: HuffmanTable;
      let distance: HuffmanTable;
      if (type === 1) ({ literal, distance } = getFixedTables());
      else {
        const literalCount = take(5) + 257;
        const distanceCount = take(5) + 1;
        const codeLengthCount = take(4) + 4;
        const codeLengths = new Uint8Array(19);
        for (let i = 0; i < codeLengthCount; i++) codeLengths[CODE_LENGTH_ORDER[i]!] = take(3);
        const codeLengthTable = buildTable(codeLengths);
        const lengths = new Uint8Array(literalCount + distanceCount);
        for (let i = 0; i < lengths.length; ) {
          const symbol = decode(codeLengthTable);
          if (symbol < 16) lengths[i++] = symbol;
          else {
            let repeat: number;
            let value = 0;
            if (symbol === 16) {
              if (i === 0) throw new InflateError("repeat with no previous length");
              value = lengths[i - 1]!;
              repeat = 3 + take(2);
            } else if (symbol === 17) repeat = 3 + take(3);
            else repeat = 11 + take(7);
            if (i + repeat > lengths.length) throw new InflateError("code lengths overflow");
            lengths.fill(value, i, i + repeat);
            i += repeat;
          }
        }
        literal = buildTable(lengths.subarray(0, literalCount));
        distance = buildTable(lengths.subarray(literalCount));
      }
      for (;;) {
        const symbol = decode(literal);
        if (symbol < 256) {
          ensure(1);
          out[outLength++] = symbol;
        } else if (symbol === 256) break;
        else {
          const index = symbol - 257;
          if (index >= 29) throw new InflateError("invalid length symbol");
          const length = LENGTH_BASE[index]! + take(LENGTH_EXTRA[index]!);
          const distanceSymbol = decode(distance);
          if (distanceSymbol >= 30) throw new InflateError("invalid distance symbol");
          const back = DIST_BASE[distanceSymbol]! + take(DIST_EXTRA[distanceSymbol]!);
          if (back > outLength) throw new InflateError("distance before start of output");
          ensure(length);
          for (let i = 0; i < length; i++, outLength++) out[outLength] = out[outLength - back]!;
        }
      }
    } else throw new InflateError("invalid block type");
    if (position - (bitCount >> 3) > input.length) throw new InflateError("unexpected end of compressed data");
    if (final === 1) break;
  }
  return out.subarray(0, outLength);
}

/** Adler-32 checksum (zlib trailer). */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; ) {
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

/** Decodes a zlib stream, checking the header and the Adler-32 trailer. */
export function inflateZlib(input: Uint8Array, sizeHint?: number): Uint8Array {
  if (input.length < 6) throw new InflateError("zlib stream too short");
  const cmf = input[0]!;
  const flags = input[1]!;
  if ((cmf & 15) !== 8 || ((cmf << 8) | flags) % 31 !== 0) throw new InflateError("bad zlib header");
  if ((flags & 0x20) !== 0) throw new InflateError("zlib preset dictionary not supported");
  const out = inflateRaw(input.subarray(2), sizeHint);
  const at = input.length - 4;
  const expected = ((input[at]! << 24) | (input[at + 1]! << 16) | (input[at + 2]! << 8) | input[at + 3]!) >>> 0;
  if (adler32(out) !== expected) throw new InflateError("zlib checksum mismatch");
  return out;
}
