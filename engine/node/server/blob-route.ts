/**
 * `GET /blobs/<sha256>`: an attachment streamed from its file, with HTTP
 * ranges for media elements. The digest was checked when the blob was stored
 * (and by `verify`), so serving never reads or hashes the whole file; a
 * client that goes away closes the file at once. Links are refused: a blob
 * must be a plain file inside the data folder's blob store.
 */
import { constants } from "node:fs";
import { open, realpath } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { sniffType } from "./static-files.ts";

export interface BlobRouteOptions {
  readonly dataDir: string;
  /** Blobs that live elsewhere (the demo library); asked only when the store has no file. */
  readonly fallback?: (digest: string) => Promise<{ readonly bytes: Uint8Array; readonly mimeType: string } | undefined>;
}

/** A blob never changes (it is named by its digest): its sniffed type is kept, so a range costs no extra read of its head. */
const knownTypes = new Map<string, string>();
const KNOWN_TYPES_MAX = 4096;

const BLOB_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/** The byte range a `Range` header asks for, `"unsatisfiable"`, or undefined for the whole file. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | "unsatisfiable" | undefined {
  // One range is what media elements send; anything else gets the whole file (RFC 9110 allows ignoring Range).
  const match = /^bytes=(\d*)-(\d*)$/.exec((header ?? "").trim());
  if (match === null || (match[1] === "" && match[2] === "")) return undefined;
  if (size === 0) return "unsatisfiable";
  let start: number;
  let end: number;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(size - 1, Number(match[2]));
  }
  if (!Number.isSafeInteger(start) || start >= size || start > end) return "unsatisfiable";
  return { start, end };
}

function plain(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), "cache-control": "no-store", "x-content-type-options": "nosniff", ...headers });
  response.end(body);
}

export async function serveBlob(request: IncomingMessage, response: ServerResponse, digest: string, options: BlobRouteOptions): Promise<void> {
  const etag = `"${digest}"`;
  const headers = { "content-security-policy": BLOB_CSP, "cache-control": "private, max-age=31536000, immutable", "x-content-type-options": "nosniff", etag, "accept-ranges": "bytes" };
  const folder = join(options.dataDir, "attachments", "blobs");
  // O_NOFOLLOW refuses a link in the blob's own name; the folder is checked after resolution.
  const file = await open(join(folder, `${digest}.dat`), constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: { code?: string }) => (error.code === "ELOOP" ? ("link" as const) : undefined));
  if (file === "link") {
    plain(response, 404, "no such attachment");
    return;
  }
  if (file === undefined) {
    const other = await options.fallback?.(digest);
    if (other === undefined) {
      plain(response, 404, "no such attachment");
      return;
    }
    response.writeHead(200, { ...headers, "accept-ranges": "none", "content-type": other.mimeType, "content-length": other.bytes.byteLength });
    response.end(request.method === "HEAD" ? undefined : Buffer.from(other.bytes.buffer, other.bytes.byteOffset, other.bytes.byteLength));
    return;
  }
  let streaming = false;
  try {
    const [info, folderReal, dataReal] = await Promise.all([file.stat(), realpath(folder), realpath(options.dataDir)]);
    if (!info.isFile() || folderReal !== join(dataReal, "attachments", "blobs")) {
      plain(response, 404, "no such attachment");
      return;
    }
    const size = info.size;
    let type = knownTypes.get(digest);
    if (type === undefined) {
      const head = new Uint8Array(16);
      await file.read(head, 0, 16, 0);
      type = sniffType(head);
      if (knownTypes.size >= KNOWN_TYPES_MAX) knownTypes.clear();
      knownTypes.set(digest, type);
    }
    const ifRange = request.headers["if-range"];
    // A range applies only to the representation the client already has (its ETag; blobs never change).
    const range = ifRange === undefined || ifRange === etag ? parseRange(request.headers.range, size) : undefined;
    if (range === "unsatisfiable") {
      plain(response, 416, "range not satisfiable", { "content-range": `bytes */${size}` });
      return;
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? size - 1;
    response.writeHead(range === undefined ? 200 : 206, {
      ...headers,
      "content-type": type,
      "content-length": Math.max(0, end - start + 1),
      ...(range === undefined ? {} : { "content-range": `bytes ${start}-${end}/${size}` }),
    });
    if (request.method === "HEAD" || size === 0) {
      response.end();
      return;
    }
    streaming = true;
    // The stream owns the file from here: it closes it at the end, and at once when the client aborts.
    await pipeline(file.createReadStream({ start, end, highWaterMark: 256 * 1024 }), response).catch(() => undefined);
  } finally {
    if (!streaming) await file.close();
  }
}
