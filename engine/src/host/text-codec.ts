/** UTF-8 encoding without relying on TextEncoder (absent in a bare JSContext). */
export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else code = 0xfffd;
    } else if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 63));
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
  }
  return Uint8Array.from(out);
}

/** UTF-8 decoding; invalid sequences become U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  let out = "";
  const chunk: number[] = [];
  const flush = () => {
    out += String.fromCharCode(...chunk);
    chunk.length = 0;
  };
  for (let i = 0; i < bytes.length; ) {
    const b0 = bytes[i]!;
    let code = 0xfffd;
    let need = 0;
    if (b0 < 0x80) { code = b0; need = 0; }
    else if (b0 >= 0xc2 && b0 < 0xe0) { code = b0 & 31; need = 1; }
    else if (b0 >= 0xe0 && b0 < 0xf0) { code = b0 & 15; need = 2; }
    else if (b0 >= 0xf0 && b0 < 0xf5) { code = b0 & 7; need = 3; }
    else { i++; chunk.push(0xfffd); if (chunk.length > 8000) flush(); continue; }
    let ok = i + need < bytes.length || need === 0 ? true : false;
    for (let k = 1; ok && k <= need; k++) {
      const b = bytes[i + k];
      if (b === undefined || (b & 0xc0) !== 0x80) ok = false;
      else code = (code << 6) | (b & 63);
    }
    if (!ok || (need === 2 && code < 0x800) || (need === 3 && (code < 0x10000 || code > 0x10ffff)) || (code >= 0xd800 && code <= 0xdfff)) {
      chunk.push(0xfffd);
      i++;
    } else {
      if (code >= 0x10000) {
        code -= 0x10000;
        chunk.push(0xd800 + (code >> 10), 0xdc00 + (code & 1023));
      } else chunk.push(code);
      i += need + 1;
    }
    if (chunk.length > 8000) flush();
  }
  flush();
  return out;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Base64 without btoa (absent in a bare JSContext); images sent to AI providers use it. */
export function base64Encode(bytes: Uint8Array): string {
  const parts: string[] = [];
  let line = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    line += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + (i + 1 < bytes.length ? B64[(n >> 6) & 63]! : "=") + (i + 2 < bytes.length ? B64[n & 63]! : "=");
    if (line.length >= 16384) { parts.push(line); line = ""; }
  }
  parts.push(line);
  return parts.join("");
}

export function base64Decode(text: string): Uint8Array {
  const clean = text.replace(/[^A-Za-z0-9+/]/g, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const n = (B64.indexOf(clean[i]!) << 18) | (B64.indexOf(clean[i + 1] ?? "A") << 12) | ((clean[i + 2] ? B64.indexOf(clean[i + 2]!) : 0) << 6) | (clean[i + 3] ? B64.indexOf(clean[i + 3]!) : 0);
    out[o++] = (n >> 16) & 255;
    if (clean[i + 2]) out[o++] = (n >> 8) & 255;
    if (clean[i + 3]) out[o++] = n & 255;
  }
  return out.subarray(0, o);
}
