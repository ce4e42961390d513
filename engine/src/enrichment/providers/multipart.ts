import { utf8Encode } from "../../host/index.ts";

type FormDataLike = { entries(): IterableIterator<[string, unknown]>; append: unknown };
type BlobLike = { arrayBuffer(): Promise<ArrayBuffer>; type?: string; name?: string };

function isFormData(body: unknown): body is FormDataLike {
  if (body === null || typeof body !== "object") return false;
  const candidate = body as Partial<FormDataLike>;
  return typeof candidate.entries === "function" && typeof candidate.append === "function" && Object.prototype.toString.call(body) !== "[object URLSearchParams]";
}

function headerRecord(init: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (init === undefined || init === null) return out;
  if (typeof (init as { forEach?: unknown }).forEach === "function" && !Array.isArray(init)) {
    (init as { forEach(cb: (value: string, name: string) => void): void }).forEach((value, name) => (out[name.toLowerCase()] = value));
  } else if (Array.isArray(init)) {
    for (const [name, value] of init as [string, string][]) out[String(name).toLowerCase()] = String(value);
  } else {
    for (const [name, value] of Object.entries(init as Record<string, unknown>)) if (value !== undefined && value !== null) out[name.toLowerCase()] = String(value);
  }
  return out;
}

const quote = (text: string) => text.replace(/[\r\n"]/g, (c) => (c === '"' ? "%22" : c === "\r" ? "%0D" : "%0A"));

/** RFC 7578 multipart/form-data bytes for a FormData. */
export async function encodeMultipart(form: FormDataLike, boundary: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === "string") {
      chunks.push(utf8Encode(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`));
      continue;
    }
    const blob = value as BlobLike;
    const filename = typeof blob.name === "string" && blob.name !== "" ? blob.name : "blob";
    chunks.push(utf8Encode(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"; filename="${quote(filename)}"\r\nContent-Type: ${blob.type || "application/octet-stream"}\r\n\r\n`));
    chunks.push(new Uint8Array(await blob.arrayBuffer()));
    chunks.push(utf8Encode("\r\n"));
  }
  chunks.push(utf8Encode(`--${boundary}--\r\n`));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * Serializes FormData bodies (the OpenAI SDK's uploads) to multipart bytes
 * before they reach `fetch`: the host's fetch over `host.http` (URLSession,
 * the JSC host) carries bytes, not FormData objects.
 */
export function withMultipartBodies(inner: typeof fetch, boundaryToken: () => string): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const body = init?.body;
    if (!isFormData(body)) return inner(input, init);
    const boundary = `----stint-${boundaryToken()}`;
    const headers = headerRecord(init?.headers);
    delete headers["content-type"];
    delete headers["content-length"];
    headers["content-type"] = `multipart/form-data; boundary=${boundary}`;
    return inner(input, { ...init, headers, body: (await encodeMultipart(body, boundary)) as BodyInit });
  }) as typeof fetch;
}
