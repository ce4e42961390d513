import { lstat, readFile, realpath } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".map": "application/json",
  ".ico": "image/x-icon",
};

/** Resolves a URL path inside `root`, or undefined when it would leave it or names a dotfile. */
export function resolveStatic(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.split("/").some((part) => part.startsWith("."))) return undefined;
  const relative = decoded === "/" ? "index.html" : decoded.replace(/^\/+/, "");
  const full = normalize(join(root, relative));
  const base = normalize(root.endsWith(sep) ? root : root + sep);
  return full.startsWith(base) ? full : undefined;
}

export async function readStatic(root: string, pathname: string): Promise<{ readonly body: Buffer; readonly type: string } | undefined> {
  const path = resolveStatic(root, pathname);
  if (path === undefined) return undefined;
  // A link planted in the panel's folder is not followed, nor a folder that resolves elsewhere.
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined || !info.isFile()) return undefined;
  const [real, rootReal] = await Promise.all([realpath(path).catch(() => ""), realpath(root).catch(() => undefined)]);
  if (rootReal === undefined || !real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep)) return undefined;
  return { body: await readFile(path), type: TYPES[extname(path)] ?? "application/octet-stream" };
}

/** Content type from the first bytes (blobs are stored without a name). */
export function sniffType(head: Uint8Array): string {
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (head[0] === 0x89 && ascii(1, 4) === "PNG") return "image/png";
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "image/jpeg";
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WAVE") return "audio/wav";
  if (ascii(4, 8) === "ftyp") return ascii(8, 11) === "M4A" ? "audio/mp4" : "video/mp4";
  if (ascii(0, 4) === "<svg" || ascii(0, 5) === "<?xml") return "image/svg+xml";
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return "video/webm";
  return "application/octet-stream";
}
