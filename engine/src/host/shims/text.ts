import { base64Decode, base64Encode, utf8Decode, utf8Encode } from "../text-codec.ts";

const UTF8_LABELS = new Set(["utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"]);

/** UTF-8 `TextEncoder` for contexts without one. */
export class ShimTextEncoder {
  get encoding(): "utf-8" {
    return "utf-8";
  }

  encode(input = ""): Uint8Array {
    return utf8Encode(String(input));
  }

  encodeInto(source: string, destination: Uint8Array): { read: number; written: number } {
    let read = 0;
    let written = 0;
    for (const char of String(source)) {
      const bytes = utf8Encode(char);
      if (written + bytes.length > destination.length) break;
      destination.set(bytes, written);
      written += bytes.length;
      read += char.length;
    }
    return { read, written };
  }
}

function toBytes(input: unknown): Uint8Array {
  if (input === undefined || input === null) return new Uint8Array(0);
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError("TextDecoder.decode: input must be an ArrayBuffer or a view of one");
}

/** Bytes at the end of `bytes` that start a UTF-8 sequence not yet complete. */
function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/** UTF-8 `TextDecoder` with `stream`, `fatal` and `ignoreBOM`, for contexts without one. */
export class ShimTextDecoder {
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  #pending: Uint8Array = new Uint8Array(0);
  #started = false;

  constructor(label = "utf-8", options: { fatal?: boolean; ignoreBOM?: boolean } = {}) {
    if (!UTF8_LABELS.has(String(label).trim().toLowerCase())) throw new RangeError(`TextDecoder: unsupported encoding ${label}`);
    this.fatal = options.fatal === true;
    this.ignoreBOM = options.ignoreBOM === true;
  }

  get encoding(): "utf-8" {
    return "utf-8";
  }

  decode(input?: unknown, options: { stream?: boolean } = {}): string {
    const incoming = toBytes(input);
    let bytes = incoming;
    if (this.#pending.length > 0) {
      bytes = new Uint8Array(this.#pending.length + incoming.length);
      bytes.set(this.#pending);
      bytes.set(incoming, this.#pending.length);
    }
    const stream = options.stream === true;
    const keep = stream ? incompleteTail(bytes) : 0;
    this.#pending = keep > 0 ? bytes.slice(bytes.length - keep) : new Uint8Array(0);
    const complete = keep > 0 ? bytes.subarray(0, bytes.length - keep) : bytes;
    let text = utf8Decode(complete);
    if (this.fatal && !sameBytes(utf8Encode(text), complete)) {
      this.#pending = new Uint8Array(0);
      this.#started = false;
      throw new TypeError("TextDecoder: the data is not valid UTF-8");
    }
    if (!this.#started && !this.ignoreBOM && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.#started = stream && (this.#started || complete.length > 0);
    return text;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function invalidCharacter(message: string): Error {
  const error = new Error(message);
  error.name = "InvalidCharacterError";
  return error;
}

/** `btoa`: a binary string (code units 0–255) to base64. */
export function shimBtoa(data: unknown): string {
  const text = String(data);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 255) throw invalidCharacter("btoa: the string contains characters outside of Latin-1");
    bytes[i] = code;
  }
  return base64Encode(bytes);
}

/** `atob`: base64 to a binary string. */
export function shimAtob(data: unknown): string {
  const text = String(data).replace(/[\t\n\f\r ]/g, "");
  if (text.length % 4 === 1 || /[^A-Za-z0-9+/=]/.test(text) || /=[^=]/.test(text)) throw invalidCharacter("atob: the string is not valid base64");
  const bytes = base64Decode(text);
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}
