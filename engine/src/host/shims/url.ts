import { utf8Decode, utf8Encode } from "../text-codec.ts";

/** Default ports of the special schemes (WHATWG URL); `file:` has none. */
const SPECIAL: Record<string, string> = { "http:": "80", "https:": "443", "ws:": "80", "wss:": "443", "ftp:": "21", "file:": "" };

const PATH_SET = new Set([..." \"#<>?`{}"]);
const QUERY_SET = new Set([..." \"#<>'"]);
const FRAGMENT_SET = new Set([..." \"<>`"]);
const USERINFO_SET = new Set([..." \"#<>?`{}/:;=@[\\]^|"]);

function percentEncode(text: string, set: Set<string>): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x21 || code > 0x7e || set.has(char)) for (const byte of utf8Encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    else out += char;
  }
  return out;
}

/** Percent-decoding that leaves malformed escapes as they are (never throws). */
export function percentDecode(text: string): string {
  if (!text.includes("%")) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === "%" && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const code = text.codePointAt(i)!;
      if (code > 0xffff) i++;
      bytes.push(...utf8Encode(String.fromCodePoint(code)));
    }
  }
  return utf8Decode(Uint8Array.from(bytes));
}

function formEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, "+");
}

/** `URLSearchParams` for contexts without one. */
export class ShimURLSearchParams {
  #list: [string, string][] = [];
  #onChange: (() => void) | undefined;

  constructor(init?: unknown) {
    if (init === undefined || init === null) return;
    if (typeof init === "string") this.#parse(init);
    else if (typeof init === "object" && Symbol.iterator in (init as object)) {
      for (const pair of init as Iterable<unknown>) {
        const entry = [...(pair as Iterable<unknown>)];
        if (entry.length !== 2) throw new TypeError("URLSearchParams: each pair needs a name and a value");
        this.#list.push([String(entry[0]), String(entry[1])]);
      }
    } else if (typeof init === "object") {
      for (const [name, value] of Object.entries(init as Record<string, unknown>)) this.#list.push([name, String(value)]);
    } else this.#parse(String(init));
  }

  /** @internal Links the params to a URL's query. */
  static _attach(params: ShimURLSearchParams, query: string, onChange: () => void): void {
    params.#list = [];
    params.#parse(query);
    params.#onChange = onChange;
  }

  #parse(query: string): void {
    const text = query.startsWith("?") ? query.slice(1) : query;
    for (const part of text.split("&")) {
      if (part === "") continue;
      const at = part.indexOf("=");
      const name = at < 0 ? part : part.slice(0, at);
      const value = at < 0 ? "" : part.slice(at + 1);
      this.#list.push([percentDecode(name.replace(/\+/g, " ")), percentDecode(value.replace(/\+/g, " "))]);
    }
  }

  #changed(): void {
    this.#onChange?.();
  }

  get size(): number {
    return this.#list.length;
  }
  append(name: string, value: string): void {
    this.#list.push([String(name), String(value)]);
    this.#changed();
  }
  delete(name: string, value?: string): void {
    this.#list = this.#list.filter(([n, v]) => n !== String(name) || (value !== undefined && v !== String(value)));
    this.#changed();
  }
  get(name: string): string | null {
    return this.#list.find(([n]) => n === String(name))?.[1] ?? null;
  }
  getAll(name: string): string[] {
    return this.#list.filter(([n]) => n === String(name)).map(([, v]) => v);
  }
  has(name: string, value?: string): boolean {
    return this.#list.some(([n, v]) => n === String(name) && (value === undefined || v === String(value)));
  }
  set(name: string, value: string): void {
    const key = String(name);
    const index = this.#list.findIndex(([n]) => n === key);
    if (index < 0) this.#list.push([key, String(value)]);
    else {
      this.#list[index] = [key, String(value)];
      this.#list = this.#list.filter(([n], i) => n !== key || i === index);
    }
    this.#changed();
  }
  sort(): void {
    this.#list = this.#list.map((pair, i) => [pair, i] as const).sort((a, b) => (a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : a[1] - b[1])).map(([pair]) => pair);
    this.#changed();
  }
  forEach(callback: (value: string, name: string, params: this) => void, thisArg?: unknown): void {
    for (const [name, value] of [...this.#list]) callback.call(thisArg, value, name, this);
  }
  *entries(): IterableIterator<[string, string]> {
    for (const [name, value] of [...this.#list]) yield [name, value];
  }
  *keys(): IterableIterator<string> {
    for (const [name] of [...this.#list]) yield name;
  }
  *values(): IterableIterator<string> {
    for (const [, value] of [...this.#list]) yield value;
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
  toString(): string {
    return this.#list.map(([n, v]) => `${formEncode(n)}=${formEncode(v)}`).join("&");
  }
}

interface Parts {
  protocol: string;
  username: string;
  password: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  hash: string;
  opaque: boolean;
}

function invalid(input: string): TypeError {
  return new TypeError(`Invalid URL: ${input}`);
}

function normalizePath(path: string, special: boolean): string {
  const segments = (special ? path.replace(/\\/g, "/") : path).split("/");
  const out: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (segment === "." || segment.toLowerCase() === "%2e") {
      if (last) out.push("");
    } else if (segment === ".." || /^(\.|%2e){2}$/i.test(segment)) {
      out.pop();
      if (last) out.push("");
    } else out.push(percentEncode(segment, PATH_SET));
  }
  return `/${out.join("/")}`;
}

function parseAuthority(authority: string, parts: Parts, input: string): void {
  const at = authority.lastIndexOf("@");
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(":");
    parts.username = percentEncode(colon < 0 ? userinfo : userinfo.slice(0, colon), USERINFO_SET);
    parts.password = colon < 0 ? "" : percentEncode(userinfo.slice(colon + 1), USERINFO_SET);
  }
  const hostPort = authority.slice(at + 1);
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
  if (!match) throw invalid(input);
  const hostname = percentDecode(match[1]!).toLowerCase();
  if (/[\s#%/:<>?@[\\\]^|]/.test(hostname.replace(/^\[.*\]$/, ""))) throw invalid(input);
  const special = parts.protocol in SPECIAL;
  if (special && hostname === "" && parts.protocol !== "file:") throw invalid(input);
  const port = match[2] ?? "";
  if (port !== "" && Number(port) > 65535) throw invalid(input);
  parts.hostname = hostname;
  parts.port = port === "" || String(Number(port)) === SPECIAL[parts.protocol] ? "" : String(Number(port));
}

function splitTail(text: string): { head: string; search: string; hash: string } {
  const hashAt = text.indexOf("#");
  const hash = hashAt < 0 ? "" : text.slice(hashAt);
  const beforeHash = hashAt < 0 ? text : text.slice(0, hashAt);
  const queryAt = beforeHash.indexOf("?");
  return { head: queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt), search: queryAt < 0 ? "" : beforeHash.slice(queryAt), hash };
}

function finishTail(parts: Parts, search: string, hash: string): void {
  parts.search = search.length > 1 ? `?${percentEncode(search.slice(1), QUERY_SET)}` : "";
  parts.hash = hash.length > 1 ? `#${percentEncode(hash.slice(1), FRAGMENT_SET)}` : "";
}

function parse(raw: string, base?: Parts): Parts {
  const input = raw.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "").replace(/[\t\n\r]/g, "");
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(input);
  const parts: Parts = { protocol: "", username: "", password: "", hostname: "", port: "", pathname: "", search: "", hash: "", opaque: false };
  let rest: string;
  if (scheme) {
    parts.protocol = `${scheme[1]!.toLowerCase()}:`;
    rest = input.slice(scheme[0].length);
    const special = parts.protocol in SPECIAL;
    if (special && base !== undefined && base.protocol === parts.protocol && !/^[/\\]/.test(rest)) return parse(rest, base);
    if (special || rest.startsWith("//")) {
      const afterSlashes = parts.protocol === "file:" ? rest.replace(/^[/\\]{0,2}/, "") : special ? rest.replace(/^[/\\]*/, "") : rest.slice(2);
      const end = afterSlashes.search(special ? /[/\\?#]/ : /[/?#]/);
      parseAuthority(end < 0 ? afterSlashes : afterSlashes.slice(0, end), parts, raw);
      const { head, search, hash } = splitTail(end < 0 ? "" : afterSlashes.slice(end));
      parts.pathname = head === "" && special ? "/" : head === "" ? "" : normalizePath(head, special);
      finishTail(parts, search, hash);
      return parts;
    }
    const { head, search, hash } = splitTail(rest);
    if (head.startsWith("/")) parts.pathname = normalizePath(head, false);
    else {
      parts.opaque = true;
      parts.pathname = percentEncode(head, new Set());
    }
    finishTail(parts, search, hash);
    return parts;
  }
  if (base === undefined || (base.opaque && !input.startsWith("#"))) throw invalid(raw);
  const special = base.protocol in SPECIAL;
  Object.assign(parts, base, { search: "", hash: "" });
  if (/^[/\\]{2}/.test(input) && (special || input.startsWith("//"))) return parse(`${base.protocol}${input}`);
  const { head, search, hash } = splitTail(input);
  if (input.startsWith("#")) {
    parts.search = base.search;
    parts.hash = hash.length > 1 ? `#${percentEncode(hash.slice(1), FRAGMENT_SET)}` : "";
    return parts;
  }
  if (head === "") {
    parts.pathname = base.pathname;
    finishTail(parts, search, hash);
    return parts;
  }
  if (/^[/\\]/.test(head)) parts.pathname = normalizePath(head, special);
  else {
    const directory = base.pathname.slice(0, base.pathname.lastIndexOf("/") + 1) || "/";
    parts.pathname = normalizePath(`${directory}${head}`, special);
  }
  finishTail(parts, search, hash);
  return parts;
}

/** WHATWG-style `URL` for contexts without one (hierarchical and opaque URLs; no IDNA). */
export class ShimURL {
  #parts: Parts;
  #params: ShimURLSearchParams;

  constructor(url: unknown, base?: unknown) {
    const baseParts = base === undefined ? undefined : parse(String(base instanceof ShimURL ? base.href : base));
    this.#parts = parse(String(url instanceof ShimURL ? url.href : url), baseParts);
    this.#params = new ShimURLSearchParams();
    this.#linkParams();
  }

  static canParse(url: unknown, base?: unknown): boolean {
    try {
      new ShimURL(url, base);
      return true;
    } catch {
      return false;
    }
  }

  #linkParams(): void {
    ShimURLSearchParams._attach(this.#params, this.#parts.search, () => {
      const query = this.#params.toString();
      this.#parts.search = query === "" ? "" : `?${query}`;
    });
  }

  get href(): string {
    const p = this.#parts;
    const hasAuthority = !p.opaque && (p.protocol in SPECIAL || p.hostname !== "" || p.username !== "");
    const auth = p.username !== "" || p.password !== "" ? `${p.username}${p.password !== "" ? `:${p.password}` : ""}@` : "";
    return `${p.protocol}${hasAuthority ? `//${auth}${this.host}` : ""}${p.pathname}${p.search}${p.hash}`;
  }
  set href(value: string) {
    this.#parts = parse(String(value));
    this.#linkParams();
  }
  get origin(): string {
    const p = this.#parts;
    return p.protocol in SPECIAL && p.protocol !== "file:" ? `${p.protocol}//${this.host}` : "null";
  }
  get protocol(): string {
    return this.#parts.protocol;
  }
  set protocol(value: string) {
    const next = `${String(value).replace(/:.*$/, "").toLowerCase()}:`;
    if (/^[a-z][a-z0-9+.-]*:$/.test(next) && (next in SPECIAL) === (this.#parts.protocol in SPECIAL)) {
      this.#parts.protocol = next;
      if (this.#parts.port === SPECIAL[next]) this.#parts.port = "";
    }
  }
  get username(): string {
    return this.#parts.username;
  }
  set username(value: string) {
    this.#parts.username = percentEncode(String(value), USERINFO_SET);
  }
  get password(): string {
    return this.#parts.password;
  }
  set password(value: string) {
    this.#parts.password = percentEncode(String(value), USERINFO_SET);
  }
  get host(): string {
    return this.#parts.port === "" ? this.#parts.hostname : `${this.#parts.hostname}:${this.#parts.port}`;
  }
  set host(value: string) {
    const probe = { ...this.#parts };
    parseAuthority(String(value).replace(/[/?#].*$/, ""), probe, String(value));
    this.#parts.hostname = probe.hostname;
    this.#parts.port = probe.port;
  }
  get hostname(): string {
    return this.#parts.hostname;
  }
  set hostname(value: string) {
    this.host = this.#parts.port === "" ? String(value) : `${String(value)}:${this.#parts.port}`;
  }
  get port(): string {
    return this.#parts.port;
  }
  set port(value: string) {
    const text = String(value);
    if (text === "") this.#parts.port = "";
    else if (/^\d+/.test(text)) this.host = `${this.#parts.hostname}:${/^\d+/.exec(text)![0]}`;
  }
  get pathname(): string {
    return this.#parts.pathname;
  }
  set pathname(value: string) {
    if (this.#parts.opaque) return;
    const text = String(value);
    this.#parts.pathname = normalizePath(text.startsWith("/") ? text : `/${text}`, this.#parts.protocol in SPECIAL);
  }
  get search(): string {
    return this.#parts.search;
  }
  set search(value: string) {
    const text = String(value);
    finishTail(this.#parts, text === "" ? "" : text.startsWith("?") ? text : `?${text}`, this.#parts.hash);
    this.#linkParams();
  }
  get searchParams(): ShimURLSearchParams {
    return this.#params;
  }
  get hash(): string {
    return this.#parts.hash;
  }
  set hash(value: string) {
    const text = String(value);
    this.#parts.hash = text === "" ? "" : `#${percentEncode(text.startsWith("#") ? text.slice(1) : text, FRAGMENT_SET)}`;
  }
  toString(): string {
    return this.href;
  }
  toJSON(): string {
    return this.href;
  }
}
