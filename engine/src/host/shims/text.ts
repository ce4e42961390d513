import { base64Decode, base64Encode, utf8Encode } from "../text-codec.ts";

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

/**
 * UTF-8 `TextDecoder` with `stream`, `fatal` and `ignoreBOM`, for contexts
 * without one. Follows the WHATWG decoder, so replacement characters come out
 * exactly where a platform decoder puts them, and a sequence split across
 * streamed chunks is carried over.
 */
export class ShimTextDecoder {
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  #needed = 0;
  #seen = 0;
  #codePoint = 0;
  #lower = 0x80;
  #upper = 0xbf;
  #bomChecked = false;

  constructor(label = "utf-8", options: { fatal?: boolean; ignoreBOM?: boolean } = {}) {
    if (!UTF8_LABELS.has(String(label).trim().toLowerCase())) throw new RangeError(`TextDecoder: unsupported encoding ${label}`);
    this.fatal = options.fatal === true;
    this.ignoreBOM = options.ignoreBOM === true;
  }

  get encoding(): "utf-8" {
    return "utf-8";
  }

  #reset(): void {
    this.#needed = 0;
    this.#seen = 0;
    this.#codePoint = 0;
    this.#lower = 0x80;
    this.#upper = 0xbf;
  }

  decode(input?: unknown, options: { stream?: boolean } = {}): string {
    const bytes = toBytes(input);
    const units: number[] = [];
    let out = "";
    const push = (code: number) => {
      if (code > 0xffff) {
        code -= 0x10000;
        units.push(0xd800 + (code >> 10), 0xdc00 + (code & 0x3ff));
      } else units.push(code);
      if (units.length > 8000) {
        out += String.fromCharCode(...units);
        units.length = 0;
      }
    };
    const error = () => {
      if (this.fatal) {
        this.#reset();
        this.#bomChecked = false;
        throw new TypeError("TextDecoder: the data is not valid UTF-8");
      }
      push(0xfffd);
    };
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (this.#needed === 0) {
        if (byte <= 0x7f) push(byte);
        else if (byte >= 0xc2 && byte <= 0xdf) {
          this.#needed = 1;
          this.#codePoint = byte & 0x1f;
        } else if (byte >= 0xe0 && byte <= 0xef) {
          if (byte === 0xe0) this.#lower = 0xa0;
          if (byte === 0xed) this.#upper = 0x9f;
          this.#needed = 2;
          this.#codePoint = byte & 0x0f;
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          if (byte === 0xf0) this.#lower = 0x90;
          if (byte === 0xf4) this.#upper = 0x8f;
          this.#needed = 3;
          this.#codePoint = byte & 0x07;
        } else error();
        continue;
      }
      if (byte < this.#lower || byte > this.#upper) {
        this.#reset();
        error();
        i--; // the byte starts afresh
        continue;
      }
      this.#lower = 0x80;
      this.#upper = 0xbf;
      this.#codePoint = (this.#codePoint << 6) | (byte & 0x3f);
      if (++this.#seen === this.#needed) {
        const code = this.#codePoint;
        this.#reset();
        push(code);
      }
    }
    const stream = options.stream === true;
    if (!stream && this.#needed !== 0) {
      this.#reset();
      error();
    }
    out += String.fromCharCode(...units);
    if (!this.#bomChecked && out.length > 0) {
      this.#bomChecked = true;
      if (!this.ignoreBOM && out.charCodeAt(0) === 0xfeff) out = out.slice(1);
    }
    if (!stream) this.#bomChecked = false;
    return out;
  }
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
