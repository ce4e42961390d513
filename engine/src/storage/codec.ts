/**
 * UTF-8 for storage's hot paths (every chunk, index and record passes here).
 * Uses the platform's TextEncoder/TextDecoder where the runtime has them
 * (Node, browsers, WKWebView) and a pure-JS codec in a bare JSContext, which
 * has neither. Detected per call, never at load.
 */
type Codec = { encode(text: string): Uint8Array; decode(bytes: Uint8Array): string };
let platform: Codec | null | undefined;
function platformCodec(): Codec | null {
  if (platform === undefined) {
    const scope = globalThis as { TextEncoder?: new () => { encode(text: string): Uint8Array }; TextDecoder?: new () => { decode(bytes: Uint8Array): string } };
    platform = typeof scope.TextEncoder === "function" && typeof scope.TextDecoder === "function" ? (() => {
      const encoder = new scope.TextEncoder();
      const decoder = new scope.TextDecoder();
      return { encode: (text: string) => encoder.encode(text), decode: (bytes: Uint8Array) => decoder.decode(bytes) };
    })() : null;
  }
  return platform;
}

export function encodeUtf8(text: string): Uint8Array {
  return platformCodec()?.encode(text) ?? encodeUtf8Js(text);
}

export function decodeUtf8(bytes: Uint8Array): string {
  return platformCodec()?.decode(bytes) ?? decodeUtf8Js(bytes);
}

/** Pure-JS UTF-8 encoding (no per-byte array growth). */
export function encodeUtf8Js(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 3);
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      out[at++] = code;
      continue;
    }
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else code = 0xfffd;
    } else if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x800) {
      out[at++] = 0xc0 | (code >> 6);
      out[at++] = 0x80 | (code & 63);
    } else if (code < 0x10000) {
      out[at++] = 0xe0 | (code >> 12);
      out[at++] = 0x80 | ((code >> 6) & 63);
      out[at++] = 0x80 | (code & 63);
    } else {
      out[at++] = 0xf0 | (code >> 18);
      out[at++] = 0x80 | ((code >> 12) & 63);
      out[at++] = 0x80 | ((code >> 6) & 63);
      out[at++] = 0x80 | (code & 63);
    }
  }
  return out.slice(0, at);
}

/** Pure-JS UTF-8 decoding; invalid sequences become U+FFFD. */
export function decodeUtf8Js(bytes: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    let out = "";
    for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
    return out;
  }
  const parts: string[] = [];
  const units = new Uint16Array(Math.min(bytes.length + 4, 8192));
  let n = 0;
  const flush = () => {
    parts.push(String.fromCharCode.apply(null, units.subarray(0, n) as unknown as number[]));
    n = 0;
  };
  for (let i = 0; i < bytes.length; ) {
    if (n > units.length - 4) flush();
    const b0 = bytes[i]!;
    if (b0 < 0x80) {
      units[n++] = b0;
      i++;
      continue;
    }
    let code = 0xfffd;
    let size = 1;
    if (b0 >= 0xc2 && b0 < 0xe0 && i + 1 < bytes.length && (bytes[i + 1]! & 0xc0) === 0x80) {
      code = ((b0 & 31) << 6) | (bytes[i + 1]! & 63);
      size = 2;
    } else if (b0 >= 0xe0 && b0 < 0xf0 && i + 2 < bytes.length && (bytes[i + 1]! & 0xc0) === 0x80 && (bytes[i + 2]! & 0xc0) === 0x80) {
      code = ((b0 & 15) << 12) | ((bytes[i + 1]! & 63) << 6) | (bytes[i + 2]! & 63);
      size = 3;
      if (code < 0x800 || (code >= 0xd800 && code <= 0xdfff)) code = 0xfffd;
    } else if (b0 >= 0xf0 && b0 < 0xf5 && i + 3 < bytes.length && (bytes[i + 1]! & 0xc0) === 0x80 && (bytes[i + 2]! & 0xc0) === 0x80 && (bytes[i + 3]! & 0xc0) === 0x80) {
      code = ((b0 & 7) << 18) | ((bytes[i + 1]! & 63) << 12) | ((bytes[i + 2]! & 63) << 6) | (bytes[i + 3]! & 63);
      size = 4;
      if (code < 0x10000 || code > 0x10ffff) code = 0xfffd;
    }
    i += size;
    if (code >= 0x10000) {
      code -= 0x10000;
      units[n++] = 0xd800 + (code >> 10);
      units[n++] = 0xdc00 + (code & 1023);
    } else units[n++] = code;
  }
  flush();
  return parts.join("");
}
