// The engine's bridge methods, two ways: scanned from engine/src, and asked of the built
// bundle (dist/engine.js in node:vm over a small in-memory host, `engine.capabilities`).
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { createHash, randomUUID, randomBytes } from "node:crypto";
import { join } from "node:path";
import vm from "node:vm";

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.ts$/.test(name) && !/\.(test|contract|bench)\.ts$/.test(name)) out.push(path);
  }
  return out;
}

/** Newest modification time of the engine sources, to tell whether dist is stale. */
export function newestSourceMtime(srcDir) {
  return Math.max(...walk(srcDir).map((p) => statSync(p).mtimeMs));
}

/** Method names registered through `"a.b": defineMethod(…)` in non-test engine sources. */
export function scanDefinedMethods(srcDir) {
  const methods = new Set();
  for (const path of walk(srcDir)) {
    if (path.includes(`${join("src", "testing")}`)) continue;
    const text = readFileSync(path, "utf8");
    for (const m of text.matchAll(/["'`]([a-z][a-zA-Z0-9_]*(?:\.[a-z][a-zA-Z0-9_]*)+)["'`]\s*:\s*defineMethod\s*\(/g)) {
      methods.add(m[1]);
    }
  }
  return methods;
}

/** A minimal host for starting the bundle: memory files, frozen timers, node crypto. */
function createProbeHost() {
  const files = new Map();
  const dirs = new Set([""]);
  const fail = (code, message) => Object.assign(new Error(message), { code });
  const norm = (p) => p.replace(/^\/+|\/+$/g, "");
  const parentsOf = (p) => {
    const parts = norm(p).split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  };
  const sha = (bytes) => createHash("sha256").update(bytes).digest("hex");
  let nextTimer = 1;
  return {
    info: { name: "swift-check-probe", version: "1", platform: "any", nativeHash: false },
    clock: { now: () => 1_700_000_000_000, elapsed: () => 0 },
    timers: { setTimeout: () => nextTimer++, clearTimeout: () => {} },
    files: {
      async read(p) {
        const v = files.get(norm(p));
        if (!v) throw fail("ENOENT", `no file ${p}`);
        return v.slice();
      },
      async writeAtomic(p, bytes) {
        parentsOf(p);
        files.set(norm(p), new Uint8Array(bytes));
        return { size: bytes.length, sha256: sha(bytes) };
      },
      async append(p, bytes) {
        parentsOf(p);
        const old = files.get(norm(p)) ?? new Uint8Array();
        const next = new Uint8Array(old.length + bytes.length);
        next.set(old);
        next.set(bytes, old.length);
        files.set(norm(p), next);
      },
      async flushDir() {},
      async list(p) {
        const d = norm(p);
        if (!dirs.has(d)) throw fail("ENOENT", `no dir ${p}`);
        const prefix = d ? `${d}/` : "";
        const names = new Set();
        for (const k of [...files.keys(), ...dirs]) if (k.startsWith(prefix) && k !== d) names.add(k.slice(prefix.length).split("/")[0]);
        return [...names].filter(Boolean).sort();
      },
      async stat(p) {
        const k = norm(p);
        if (files.has(k)) return { kind: "file", size: files.get(k).length, mtimeMs: 0 };
        if (dirs.has(k)) return { kind: "directory", size: 0, mtimeMs: 0 };
        return undefined;
      },
      async remove(p) {
        const k = norm(p);
        files.delete(k);
        for (const f of [...files.keys()]) if (f.startsWith(`${k}/`)) files.delete(f);
        dirs.delete(k);
      },
      async rename(a, b) {
        const v = files.get(norm(a));
        if (!v) throw fail("ENOENT", `no file ${a}`);
        parentsOf(b);
        files.set(norm(b), v);
        files.delete(norm(a));
      },
      async mkdirp(p) {
        parentsOf(`${norm(p)}/x`);
      },
      async copy(a, b) {
        const v = files.get(norm(a));
        if (!v) throw fail("ENOENT", `no file ${a}`);
        parentsOf(b);
        files.set(norm(b), v.slice());
      },
    },
    crypto: {
      sha256: async (bytes) => sha(bytes),
      async sha256File(p) {
        const v = files.get(norm(p));
        if (!v) throw fail("ENOENT", `no file ${p}`);
        return { size: v.length, sha256: sha(v) };
      },
      randomUUID: () => randomUUID(),
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
    },
    http: {
      request: async () => {
        throw fail("network", "no network in the probe host");
      },
      abort: () => {},
    },
    secrets: { get: async () => undefined },
    log: { write: () => {} },
    emit: () => {},
  };
}

/**
 * Loads the bundle in a bare vm context (no timers, no fetch), starts it over the probe
 * host and asks `engine.capabilities` for the router's method list.
 */
export async function methodsFromBundle(bundlePath, { timeoutMs = 10_000 } = {}) {
  if (!existsSync(bundlePath)) return { ok: false, reason: `${bundlePath} does not exist (run npm run build)` };
  const context = vm.createContext({ console: { log() {}, warn() {}, error() {}, info() {}, debug() {} } });
  try {
    vm.runInContext(readFileSync(bundlePath, "utf8"), context, { filename: "engine.js", timeout: timeoutMs });
    const engine = context.StintEngine;
    if (!engine) return { ok: false, reason: "bundle did not install globalThis.StintEngine" };
    const deadline = (p, what) =>
      Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} timed out`)), timeoutMs).unref())]);
    await deadline(engine.start(createProbeHost()), "StintEngine.start");
    const reply = await deadline(engine.handle(JSON.stringify({ v: 1, id: 1, method: "engine.capabilities", params: {} })), "engine.capabilities");
    await deadline(engine.stop(), "StintEngine.stop").catch(() => {});
    if (!reply || reply.error) return { ok: false, reason: `engine.capabilities failed: ${JSON.stringify(reply?.error)}` };
    return { ok: true, methods: new Set(reply.result.methods) };
  } catch (error) {
    return { ok: false, reason: `could not start the bundle: ${error instanceof Error ? error.message : String(error)}` };
  }
}
