import { utf8Decode, utf8Encode } from "../text-codec.ts";

type BlobPart = string | ArrayBuffer | ArrayBufferView | ShimBlob;

function partBytes(part: BlobPart): Uint8Array {
  if (typeof part === "string") return utf8Encode(part);
  if (part instanceof ShimBlob) return part._bytes();
  if (part instanceof ArrayBuffer) return new Uint8Array(part);
  if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
  return utf8Encode(String(part));
}

/** In-memory `Blob` (the SDKs test `instanceof Blob`; uploads are not used by the engine). */
export class ShimBlob {
  readonly type: string;
  #bytes: Uint8Array;

  constructor(parts: Iterable<BlobPart> = [], options: { type?: string } = {}) {
    const chunks = [...parts].map(partBytes);
    this.#bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const chunk of chunks) {
      this.#bytes.set(chunk, at);
      at += chunk.length;
    }
    this.type = options.type === undefined ? "" : String(options.type).toLowerCase();
  }

  /** @internal */
  _bytes(): Uint8Array {
    return this.#bytes;
  }
  get size(): number {
    return this.#bytes.length;
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.#bytes.slice().buffer;
  }
  async bytes(): Promise<Uint8Array> {
    return this.#bytes.slice();
  }
  async text(): Promise<string> {
    return utf8Decode(this.#bytes);
  }
  slice(start = 0, end = this.#bytes.length, type = ""): ShimBlob {
    return new ShimBlob([this.#bytes.slice(start, end)], { type });
  }
  get [Symbol.toStringTag](): string {
    return "Blob";
  }
}

/** `File`: a named `Blob`. */
export class ShimFile extends ShimBlob {
  readonly name: string;
  readonly lastModified: number;
  constructor(parts: Iterable<BlobPart>, name: string, options: { type?: string; lastModified?: number } = {}) {
    super(parts, options);
    this.name = String(name);
    this.lastModified = options.lastModified ?? 0;
  }
  override get [Symbol.toStringTag](): string {
    return "File";
  }
}

type FormValue = string | ShimFile;

/** `FormData` as an ordered list of entries (enough for the SDKs' `instanceof` checks and multipart building). */
export class ShimFormData {
  #entries: [string, FormValue][] = [];

  #value(value: unknown, filename?: string): FormValue {
    if (value instanceof ShimBlob) return value instanceof ShimFile && filename === undefined ? value : new ShimFile([value], filename ?? "blob", { type: value.type });
    return String(value);
  }
  append(name: string, value: unknown, filename?: string): void {
    this.#entries.push([String(name), this.#value(value, filename)]);
  }
  set(name: string, value: unknown, filename?: string): void {
    this.delete(name);
    this.append(name, value, filename);
  }
  delete(name: string): void {
    this.#entries = this.#entries.filter(([n]) => n !== String(name));
  }
  get(name: string): FormValue | null {
    return this.#entries.find(([n]) => n === String(name))?.[1] ?? null;
  }
  getAll(name: string): FormValue[] {
    return this.#entries.filter(([n]) => n === String(name)).map(([, v]) => v);
  }
  has(name: string): boolean {
    return this.#entries.some(([n]) => n === String(name));
  }
  forEach(callback: (value: FormValue, name: string, form: this) => void): void {
    for (const [name, value] of [...this.#entries]) callback(value, name, this);
  }
  *entries(): IterableIterator<[string, FormValue]> {
    yield* [...this.#entries];
  }
  *keys(): IterableIterator<string> {
    for (const [name] of [...this.#entries]) yield name;
  }
  *values(): IterableIterator<FormValue> {
    for (const [, value] of [...this.#entries]) yield value;
  }
  [Symbol.iterator](): IterableIterator<[string, FormValue]> {
    return this.entries();
  }
}
