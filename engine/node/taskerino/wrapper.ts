import { gunzipSync } from "node:zlib";

/**
 * The previous app's file adapter wraps every collection it writes as
 * `{ version, checksum, timestamp, compressed, data }`, where `data` is
 * `"GZIP_V1:" + base64(gzip(json))`, the JSON text itself (when compression
 * failed), or, in its earliest files, the value itself. Unwrapped files are
 * plain JSON. The checksum is a 32-bit string hash of the JSON text, in base 36.
 */

const PREFIX = "GZIP_V1:";

/** The previous app's checksum: Java-style 31·h + c over UTF-16 code units, as a signed 32-bit integer in base 36. */
export function oldChecksum(text: string): string {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (((hash << 5) - hash) + text.charCodeAt(i)) | 0;
  return hash.toString(36);
}

export interface Unwrapped {
  readonly value: unknown;
  readonly wrapped: boolean;
  readonly compressed: boolean;
  /** `absent` when the file carries none (unwrapped files). */
  readonly checksum: "verified" | "mismatch" | "absent";
}

export class WrapperError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WrapperError";
  }
}

function isWrapper(value: unknown): value is { version: unknown; data: unknown; checksum?: unknown; compressed?: unknown } {
  return value !== null && typeof value === "object" && !Array.isArray(value) && "version" in value && "data" in value && ("checksum" in value || "compressed" in value || "timestamp" in value);
}

/** Parses one file's text, unwrapping and verifying it when the adapter wrapped it. */
export function unwrapText(text: string): Unwrapped {
  let outer: unknown;
  try {
    outer = JSON.parse(text);
  } catch (error) {
    throw new WrapperError(`not valid JSON (${error instanceof Error ? error.message.slice(0, 120) : "unreadable"})`);
  }
  if (!isWrapper(outer)) return { value: outer, wrapped: false, compressed: false, checksum: "absent" };
  const expected = typeof outer.checksum === "string" ? outer.checksum : undefined;
  let inner: string | undefined;
  let compressed = false;
  if (typeof outer.data === "string" && outer.data.startsWith(PREFIX)) {
    compressed = true;
    try {
      inner = gunzipSync(Buffer.from(outer.data.slice(PREFIX.length), "base64")).toString("utf8");
    } catch (error) {
      throw new WrapperError(`its compressed data does not decompress (${error instanceof Error ? error.message : String(error)})`);
    }
  } else if (typeof outer.data === "string") {
    inner = outer.data;
  }
  if (inner === undefined) {
    // Earliest form: the value itself; the app hashed it pretty-printed.
    const checksum = expected === undefined ? "absent" : oldChecksum(JSON.stringify(outer.data, null, 2)) === expected || oldChecksum(JSON.stringify(outer.data)) === expected ? "verified" : "mismatch";
    return { value: outer.data, wrapped: true, compressed: false, checksum };
  }
  let value: unknown;
  try {
    value = JSON.parse(inner);
  } catch (error) {
    // A string collection (a transcript, a base64 blob) is stored as its JSON text too; anything else is damage.
    throw new WrapperError(`its data is not valid JSON (${error instanceof Error ? error.message.slice(0, 120) : "unreadable"})`);
  }
  const checksum = expected === undefined ? "absent" : oldChecksum(inner) === expected ? "verified" : "mismatch";
  return { value, wrapped: true, compressed, checksum };
}
