const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function normalizeName(name: unknown): string {
  const text = String(name);
  if (!TOKEN.test(text)) throw new TypeError(`Headers: invalid header name ${JSON.stringify(text)}`);
  return text.toLowerCase();
}

function normalizeValue(value: unknown): string {
  const text = String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
  if (/[\0\n\r]/.test(text)) throw new TypeError("Headers: invalid header value");
  return text;
}

/** `Headers` for contexts without one: case-insensitive, values joined with ", ", iterated sorted. */
export class ShimHeaders {
  #map = new Map<string, string[]>();

  constructor(init?: unknown) {
    if (init === undefined || init === null) return;
    if (init instanceof ShimHeaders) {
      for (const [name, value] of init) this.append(name, value);
    } else if (typeof init === "object" && Symbol.iterator in (init as object)) {
      for (const pair of init as Iterable<unknown>) {
        const entry = [...(pair as Iterable<unknown>)];
        if (entry.length !== 2) throw new TypeError("Headers: each pair needs a name and a value");
        this.append(String(entry[0]), String(entry[1]));
      }
    } else if (typeof init === "object") {
      for (const [name, value] of Object.entries(init as Record<string, unknown>)) this.append(name, String(value));
    } else throw new TypeError("Headers: init must be an object, an array of pairs or Headers");
  }

  append(name: string, value: string): void {
    const key = normalizeName(name);
    const list = this.#map.get(key);
    if (list) list.push(normalizeValue(value));
    else this.#map.set(key, [normalizeValue(value)]);
  }
  delete(name: string): void {
    this.#map.delete(normalizeName(name));
  }
  get(name: string): string | null {
    return this.#map.get(normalizeName(name))?.join(", ") ?? null;
  }
  getSetCookie(): string[] {
    return [...(this.#map.get("set-cookie") ?? [])];
  }
  has(name: string): boolean {
    return this.#map.has(normalizeName(name));
  }
  set(name: string, value: string): void {
    this.#map.set(normalizeName(name), [normalizeValue(value)]);
  }
  forEach(callback: (value: string, name: string, headers: this) => void, thisArg?: unknown): void {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
  }
  *entries(): IterableIterator<[string, string]> {
    for (const name of [...this.#map.keys()].sort()) {
      if (name === "set-cookie") for (const value of this.#map.get(name) ?? []) yield [name, value];
      else yield [name, this.#map.get(name)!.join(", ")];
    }
  }
  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }
  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
  get [Symbol.toStringTag](): string {
    return "Headers";
  }
}
