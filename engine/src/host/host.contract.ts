/**
 * The host contract suite: every host (memory, Node, the JavaScriptCore test
 * host, and by review the Swift EngineHost) must pass these cases. Written
 * without a test runner so it also runs inside a bare JavaScriptCore context.
 */
import * as assert from "../testing/assert.ts";
import type { HostPort } from "./host-port.ts";
import { intelligenceContractCases } from "./intelligence.contract.ts";
import { utf8Decode, utf8Encode } from "./text-codec.ts";

/** What a case needs besides the host. */
export interface ContractEnv {
  /** Base URL of the loopback contract server (`createContractServer`): /echo, /status/:code, /slow/:ms. */
  readonly httpUrl: string;
  /** A fresh directory (relative to the host root) for this case's files. */
  readonly dir: string;
  /** Moves simulated time; absent for hosts with real timers. */
  readonly advance?: (ms: number) => Promise<void>;
  /** A recording of known speech, for hosts with `speech` (the case checks most words are heard). */
  readonly speechSample?: { readonly path: string; readonly text: string };
}

export interface ContractCase {
  readonly name: string;
  run(host: HostPort, env: ContractEnv): Promise<void>;
}

const text = (value: string) => utf8Encode(value);

function sleep(host: HostPort, env: ContractEnv, ms: number): Promise<void> {
  if (env.advance) return env.advance(ms);
  return new Promise((resolve) => host.timers.setTimeout(resolve, ms));
}

export const hostContractCases: readonly ContractCase[] = [
  {
    name: "info describes the host",
    async run(host) {
      assert.equal(typeof host.info.name, "string");
      assert.equal(typeof host.info.version, "string");
      assert.equal(typeof host.info.nativeHash, "boolean");
      assert.equal(typeof host.emit, "function");
      host.log.write("info", "contract log line", { n: 1 });
      host.emit({ v: 1, method: "contract.ping", params: { ok: true } });
    },
  },
  {
    name: "files: writeAtomic then read returns the same bytes and reports size and sha256",
    async run(host, env) {
      const bytes = new Uint8Array(70_000).map((_, i) => (i * 31) & 255);
      const result = await host.files.writeAtomic(`${env.dir}/a/b/blob.bin`, bytes);
      assert.equal(result.size, bytes.length, "size");
      assert.equal(result.sha256, await host.crypto.sha256(bytes), "sha256");
      assert.bytesEqual(await host.files.read(`${env.dir}/a/b/blob.bin`), bytes, "read back");
      const stat = await host.files.stat(`${env.dir}/a/b/blob.bin`);
      assert.ok(stat !== undefined && stat.kind === "file" && stat.size === bytes.length, "stat after write");
    },
  },
  {
    name: "files: writeAtomic replaces whole content and leaves no temporary files",
    async run(host, env) {
      await host.files.writeAtomic(`${env.dir}/doc.json`, text('{"v":1,"long":"' + "x".repeat(5000) + '"}'));
      await host.files.writeAtomic(`${env.dir}/doc.json`, text('{"v":2}'), { flushDir: false });
      await host.files.flushDir(env.dir);
      assert.equal(utf8Decode(await host.files.read(`${env.dir}/doc.json`)), '{"v":2}');
      assert.deepEqual(await host.files.list(env.dir), ["doc.json"], "only the target remains");
    },
  },
  {
    name: "files: a failed writeAtomic leaves the old content",
    async run(host, env) {
      await host.files.mkdirp(`${env.dir}/target.json`);
      await assert.rejects(() => host.files.writeAtomic(`${env.dir}/target.json`, text("x")), undefined, "writing over a directory");
      await host.files.writeAtomic(`${env.dir}/keep.json`, text("old"));
      await host.files.mkdirp(`${env.dir}/keep.json.blocker`);
      assert.equal(utf8Decode(await host.files.read(`${env.dir}/keep.json`)), "old");
      const names = await host.files.list(env.dir);
      assert.ok(names.every((name) => !name.includes(".tmp")), `no temp files left: ${names.join(",")}`);
    },
  },
  {
    name: "files: missing paths report ENOENT; stat reports undefined",
    async run(host, env) {
      await assert.rejects(() => host.files.read(`${env.dir}/missing.bin`), "ENOENT");
      await assert.rejects(() => host.files.list(`${env.dir}/missing-dir`), "ENOENT");
      assert.equal(await host.files.stat(`${env.dir}/missing.bin`), undefined);
      await assert.rejects(() => host.files.rename(`${env.dir}/missing.bin`, `${env.dir}/other.bin`), "ENOENT");
    },
  },
  {
    name: "files: list is sorted names; stat tells files from directories",
    async run(host, env) {
      await host.files.writeAtomic(`${env.dir}/c.txt`, text("c"));
      await host.files.writeAtomic(`${env.dir}/a.txt`, text("a"));
      await host.files.mkdirp(`${env.dir}/b-dir/inner`);
      assert.deepEqual(await host.files.list(env.dir), ["a.txt", "b-dir", "c.txt"]);
      assert.equal((await host.files.stat(`${env.dir}/b-dir`))?.kind, "directory");
      assert.equal((await host.files.stat(`${env.dir}/a.txt`))?.kind, "file");
      const mtime = (await host.files.stat(`${env.dir}/a.txt`))?.mtimeMs ?? 0;
      assert.ok(mtime > 0, "mtime is set");
    },
  },
  {
    name: "files: remove deletes files, refuses a non-empty directory unless recursive, ignores missing",
    async run(host, env) {
      await host.files.writeAtomic(`${env.dir}/d/one.txt`, text("1"));
      await host.files.writeAtomic(`${env.dir}/d/two.txt`, text("2"));
      await host.files.remove(`${env.dir}/d/one.txt`);
      assert.deepEqual(await host.files.list(`${env.dir}/d`), ["two.txt"]);
      await assert.rejects(() => host.files.remove(`${env.dir}/d`), "ENOTEMPTY");
      await host.files.remove(`${env.dir}/d`, { recursive: true });
      assert.equal(await host.files.stat(`${env.dir}/d`), undefined);
      await host.files.remove(`${env.dir}/never-there`);
    },
  },
  {
    name: "files: rename replaces the target; mkdirp is idempotent; copy duplicates",
    async run(host, env) {
      await host.files.mkdirp(`${env.dir}/x/y`);
      await host.files.mkdirp(`${env.dir}/x/y`);
      await host.files.writeAtomic(`${env.dir}/x/from.txt`, text("from"));
      await host.files.writeAtomic(`${env.dir}/x/y/to.txt`, text("to"));
      await host.files.rename(`${env.dir}/x/from.txt`, `${env.dir}/x/y/to.txt`);
      assert.equal(utf8Decode(await host.files.read(`${env.dir}/x/y/to.txt`)), "from");
      assert.equal(await host.files.stat(`${env.dir}/x/from.txt`), undefined);
      await host.files.copy(`${env.dir}/x/y/to.txt`, `${env.dir}/x/copy.txt`);
      assert.equal(utf8Decode(await host.files.read(`${env.dir}/x/copy.txt`)), "from");
      assert.equal(utf8Decode(await host.files.read(`${env.dir}/x/y/to.txt`)), "from");
    },
  },
  {
    name: "files: append creates then extends a file",
    async run(host, env) {
      await host.files.mkdirp(env.dir);
      await host.files.append(`${env.dir}/log.txt`, text("one\n"));
      await host.files.append(`${env.dir}/log.txt`, text("two\n"));
      assert.equal(utf8Decode(await host.files.read(`${env.dir}/log.txt`)), "one\ntwo\n");
    },
  },
  {
    name: "files: paths that climb out with .. are refused",
    async run(host, env) {
      await assert.rejects(() => host.files.read(`${env.dir}/../../etc/passwd`), "EINVAL");
      await assert.rejects(() => host.files.writeAtomic(`../escape.txt`, text("x")), "EINVAL");
    },
  },
  {
    name: "files: bytes survive every value 0-255 and UTF-8 text round-trips",
    async run(host, env) {
      const all = new Uint8Array(256).map((_, i) => i);
      await host.files.writeAtomic(`${env.dir}/all.bin`, all);
      assert.bytesEqual(await host.files.read(`${env.dir}/all.bin`), all);
      const words = "Grüße — 会議 📼 done";
      await host.files.writeAtomic(`${env.dir}/utf8.txt`, text(words));
      assert.equal(utf8Decode(await host.files.read(`${env.dir}/utf8.txt`)), words);
    },
  },
  {
    name: "files: readRanges returns the spans asked, in order; a span past the end is EINVAL (hosts that offer it)",
    async run(host, env) {
      if (host.files.readRanges === undefined) return;
      const path = `${env.dir}/ranges.bin`;
      const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) & 255);
      await host.files.writeAtomic(path, bytes);
      const spans = [
        { offset: 299_990, length: 10 },
        { offset: 0, length: 3 },
        { offset: 100_000, length: 70_000 },
        { offset: 5, length: 0 },
        { offset: 1, length: 4 },
      ];
      const read = await host.files.readRanges(path, spans);
      assert.equal(read.length, spans.length);
      for (const [i, span] of spans.entries()) assert.bytesEqual(read[i]!, bytes.slice(span.offset, span.offset + span.length), `span ${i}`);
      await assert.rejects(() => host.files.readRanges!(path, [{ offset: 299_995, length: 10 }]), "EINVAL");
      await assert.rejects(() => host.files.readRanges!(`${env.dir}/missing.bin`, [{ offset: 0, length: 1 }]), "ENOENT");
    },
  },
  {
    name: "crypto: sha256 test vectors",
    async run(host) {
      assert.equal(await host.crypto.sha256(new Uint8Array(0)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
      assert.equal(await host.crypto.sha256(text("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
      assert.equal(
        await host.crypto.sha256(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
      );
      assert.equal(await host.crypto.sha256(new Uint8Array(1_000_000).fill(0x61)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    },
  },
  {
    name: "crypto: sha256File streams a file; randomUUID is v4 and unique; randomBytes has the length asked",
    async run(host, env) {
      await host.files.writeAtomic(`${env.dir}/h.txt`, text("abc"));
      const file = await host.crypto.sha256File(`${env.dir}/h.txt`);
      assert.deepEqual(file, { size: 3, sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" });
      const ids = new Set<string>();
      for (let i = 0; i < 100; i++) {
        const id = host.crypto.randomUUID();
        assert.ok(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id), `uuid v4: ${id}`);
        ids.add(id);
      }
      assert.equal(ids.size, 100, "uuids are unique");
      const bytes = host.crypto.randomBytes(32);
      assert.ok(bytes instanceof Uint8Array && bytes.length === 32, "randomBytes(32)");
    },
  },
  {
    name: "timers: fire in deadline order, equal deadlines in call order",
    async run(host, env) {
      // Each deadline is taken when its setTimeout runs; a busy machine may stall between the calls and
      // really make "10" due after "30". So each call is bracketed by clock readings, and the order must
      // fit deadlines somewhere inside those brackets (on an idle machine: exactly 0, 10, 20a, 20b, 30).
      const fired: string[] = [];
      const plan: Array<[string, number]> = [["30", 30], ["10", 10], ["20a", 20], ["20b", 20], ["0", 0]];
      const due = new Map<string, { seq: number; earliest: number; latest: number }>();
      plan.forEach(([name, ms], seq) => {
        const before = host.clock.elapsed();
        host.timers.setTimeout(() => fired.push(name), ms);
        due.set(name, { seq, earliest: before + ms, latest: host.clock.elapsed() + ms });
      });
      await sleep(host, env, 80);
      assert.deepEqual([...fired].sort(), plan.map(([name]) => name).sort(), `every timer fired once: ${fired.join(", ")}`);
      for (let i = 1; i < fired.length; i++) {
        const a = due.get(fired[i - 1]!)!;
        const b = due.get(fired[i]!)!;
        const fits = a.seq < b.seq ? a.earliest <= b.latest : a.earliest < b.latest;
        assert.ok(fits, `${fired[i - 1]} fired before ${fired[i]}, but was due later: ${fired.join(", ")} ${JSON.stringify([...due])}`);
      }
    },
  },
  {
    name: "timers: clearTimeout cancels; clearing twice or an unknown id is harmless",
    async run(host, env) {
      const fired: string[] = [];
      const a = host.timers.setTimeout(() => fired.push("a"), 10);
      host.timers.setTimeout(() => fired.push("b"), 15);
      host.timers.clearTimeout(a);
      host.timers.clearTimeout(a);
      host.timers.clearTimeout(987654);
      await sleep(host, env, 50);
      assert.deepEqual(fired, ["b"]);
    },
  },
  {
    name: "clock: now is epoch ms; elapsed is monotonic and advances with timers",
    async run(host, env) {
      const now = host.clock.now();
      assert.ok(now > 1_600_000_000_000 && now < 4_000_000_000_000, `now looks like epoch ms: ${now}`);
      const before = host.clock.elapsed();
      await sleep(host, env, 25);
      const after = host.clock.elapsed();
      assert.ok(after - before >= 20, `elapsed advanced by ${after - before}`);
    },
  },
  {
    name: "http: GET and POST round-trip to a loopback server with headers and body bytes",
    async run(host, env) {
      const get = await host.http.request({ id: "c1", url: `${env.httpUrl}/echo?q=1`, method: "GET", headers: { "x-stint": "yes" } });
      assert.equal(get.status, 200);
      const echoed = JSON.parse(utf8Decode(get.body)) as { method: string; url: string; headers: Record<string, string>; bodyLength: number };
      assert.equal(echoed.method, "GET");
      assert.equal(echoed.url, "/echo?q=1");
      assert.equal(echoed.headers["x-stint"], "yes");
      assert.equal(get.headers["content-type"], "application/json");
      const body = new Uint8Array(3000).map((_, i) => i & 255);
      const post = await host.http.request({ id: "c2", url: `${env.httpUrl}/echo`, method: "POST", headers: { "content-type": "application/octet-stream" }, body });
      const posted = JSON.parse(utf8Decode(post.body)) as { bodyLength: number; bodySha256: string };
      assert.equal(posted.bodyLength, 3000);
      assert.equal(posted.bodySha256, await host.crypto.sha256(body));
    },
  },
  {
    name: "http: error statuses are responses, not rejections",
    async run(host, env) {
      const response = await host.http.request({ id: "c3", url: `${env.httpUrl}/status/429`, method: "GET", headers: {} });
      assert.equal(response.status, 429);
      assert.equal(response.headers["retry-after"], "7");
    },
  },
  {
    name: "http: timeout and abort reject with their codes; a refused connection is a network error",
    async run(host, env) {
      if (env.advance) return; // Simulated time cannot drive a real socket's timeout.
      await assert.rejects(() => host.http.request({ id: "c4", url: `${env.httpUrl}/slow/3000`, method: "GET", headers: {}, timeoutMs: 100 }), "timeout");
      const pending = host.http.request({ id: "c5", url: `${env.httpUrl}/slow/3000`, method: "GET", headers: {} });
      host.timers.setTimeout(() => host.http.abort("c5"), 50);
      await assert.rejects(() => pending, "aborted");
      await assert.rejects(() => host.http.request({ id: "c6", url: "http://127.0.0.1:9/", method: "GET", headers: {}, timeoutMs: 2000 }), "network");
    },
  },
  ...intelligenceContractCases,
];

/** Runs every case; returns per-case outcomes (used by the JSC harness and Node scripts). */
export async function runHostContract(
  host: HostPort,
  makeEnv: (caseName: string, index: number) => ContractEnv | Promise<ContractEnv>,
): Promise<{ name: string; ok: boolean; error?: string }[]> {
  const results: { name: string; ok: boolean; error?: string }[] = [];
  let index = 0;
  for (const contractCase of hostContractCases) {
    try {
      await contractCase.run(host, await makeEnv(contractCase.name, index++));
      results.push({ name: contractCase.name, ok: true });
    } catch (error) {
      results.push({ name: contractCase.name, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  }
  return results;
}
