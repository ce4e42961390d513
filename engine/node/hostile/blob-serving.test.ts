/**
 * Attacks on blob serving: huge bodies for a small range, downloads aborted
 * to leak descriptors, endless event streams, links planted in served folders.
 */
import { readdirSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine/index.ts";
import { createMemoryHost } from "../../src/host/index.ts";
import { createReviewFeatureFactory } from "../../src/review/index.ts";
import { parseRange } from "../server/blob-route.ts";
import { startDevServer, type DevServer } from "../server/dev-server.ts";
import { changes, createGround, type Ground, sha256Hex, snapshot } from "./fixture.ts";

let ground: Ground;
let engine: Engine;
let server: DevServer;
let big: Buffer;
let digest: string;
const staticDir = () => join(ground.root, "ui");

beforeAll(async () => {
  ground = createGround("blobs");
  mkdirSync(join(ground.dataDir, "attachments", "blobs"), { recursive: true });
  mkdirSync(staticDir());
  writeFileSync(join(staticDir(), "index.html"), "<!doctype html><title>Stint</title>");
  // 8 MiB of WAV-looking bytes: big enough that a whole-file reply is unmistakable.
  big = Buffer.alloc(8 * 1024 * 1024);
  big.write("RIFF", 0, "ascii");
  big.write("WAVE", 8, "ascii");
  for (let i = 44; i < big.length; i++) big[i] = i % 251;
  digest = sha256Hex(big);
  writeFileSync(join(ground.dataDir, "attachments", "blobs", `${digest}.dat`), big);
  engine = await createEngine(createMemoryHost({ time: "real" }), [createReviewFeatureFactory({ demo: true })]);
  server = await startDevServer({ engine, dataDir: ground.dataDir, staticDir: staticDir(), port: 0, heartbeatMs: 60_000, maxEventStreams: 2 });
});

afterAll(async () => {
  await server?.close();
  await engine?.stop();
  ground?.cleanup();
});

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: server.port, path, headers: { authorization: `Bearer ${server.token}`, ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (chunk: Buffer) => parts.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on("error", reject);
    req.end();
  });
}

const openDescriptors = () => readdirSync("/proc/self/fd").length;

describe("blob serving", () => {
  it("answers a range with exactly its bytes (206, Content-Range, Accept-Ranges)", async () => {
    const part = await get(`/blobs/${digest}`, { range: "bytes=1000000-1000999" });
    expect(part.status).toBe(206);
    expect(part.body.length).toBe(1000);
    expect(part.body.equals(big.subarray(1_000_000, 1_001_000))).toBe(true);
    expect(part.headers["content-range"]).toBe(`bytes 1000000-1000999/${big.length}`);
    expect(part.headers["accept-ranges"]).toBe("bytes");
    expect(part.headers["content-type"]).toBe("audio/wav");
    const tail = await get(`/blobs/${digest}`, { range: "bytes=-10" });
    expect(tail.body.equals(big.subarray(big.length - 10))).toBe(true);
    const open = await get(`/blobs/${digest}`, { range: `bytes=${big.length - 5}-` });
    expect(open.status).toBe(206);
    expect(open.body.length).toBe(5);
  });

  it("honours If-Range: the range only for the same representation", async () => {
    const same = await get(`/blobs/${digest}`, { range: "bytes=0-9", "if-range": `"${digest}"` });
    expect(same.status).toBe(206);
    expect(same.headers.etag).toBe(`"${digest}"`);
    const other = await get(`/blobs/${digest}`, { range: "bytes=0-9", "if-range": '"something-else"' });
    expect(other.status).toBe(200);
    expect(other.body.length).toBe(big.length);
  });

  it("refuses ranges past the end with 416", async () => {
    const past = await get(`/blobs/${digest}`, { range: `bytes=${big.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers["content-range"]).toBe(`bytes */${big.length}`);
    expect(parseRange("bytes=5-2", 10)).toBe("unsatisfiable");
    expect(parseRange("bytes=-0", 10)).toBe("unsatisfiable");
    expect(parseRange("bytes=0-1,4-5", 10)).toBeUndefined();
    expect(parseRange("items=0-1", 10)).toBeUndefined();
  });

  it("closes the file at once when a download is aborted", async () => {
    const before = openDescriptors();
    for (let n = 0; n < 20; n++) {
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port: server.port, path: `/blobs/${digest}`, headers: { authorization: `Bearer ${server.token}` } }, (res) => {
          res.once("data", () => {
            req.destroy();
            resolve();
          });
        });
        req.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" ? resolve() : reject(error)));
        req.end();
      });
    }
    // Wait for the server side to see the aborts (a ceiling only to catch a leak).
    for (let attempt = 0; attempt < 200 && openDescriptors() > before + 2; attempt++) await new Promise((r) => setTimeout(r, 25));
    expect(openDescriptors()).toBeLessThanOrEqual(before + 2);
  });

  it("refuses a link planted in the blob store or in the panel's folder", async () => {
    const outsideBefore = snapshot(ground.outside);
    const key = readFileSync(join(ground.outside, ".ssh", "id_ed25519"));
    const linked = sha256Hex(key);
    symlinkSync(join(ground.outside, ".ssh", "id_ed25519"), join(ground.dataDir, "attachments", "blobs", `${linked}.dat`));
    const viaBlob = await get(`/blobs/${linked}`);
    expect(viaBlob.status).toBe(404);
    expect(viaBlob.body.includes(key)).toBe(false);
    symlinkSync(join(ground.outside, ".ssh", "id_ed25519"), join(staticDir(), "key.txt"));
    const viaPanel = await get("/key.txt");
    expect(viaPanel.status).toBe(404);
    expect(viaPanel.body.includes(key)).toBe(false);
    expect(changes(outsideBefore, snapshot(ground.outside))).toEqual([]);
  });

  it("refuses a blob store folder that resolves outside the data folder", async () => {
    const store = join(ground.dataDir, "attachments", "blobs");
    const moved = join(ground.root, "elsewhere");
    mkdirSync(moved);
    writeFileSync(join(moved, `${digest}.dat`), big);
    rmSync(store, { recursive: true });
    symlinkSync(moved, store);
    try {
      expect((await get(`/blobs/${digest}`)).status).toBe(404);
    } finally {
      rmSync(store);
      mkdirSync(store);
      writeFileSync(join(store, `${digest}.dat`), big);
    }
  });

  it("caps the number of open event streams", async () => {
    const held: (() => void)[] = [];
    const openStream = () =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port: server.port, path: "/events", headers: { authorization: `Bearer ${server.token}` } }, (res) => {
          held.push(() => req.destroy());
          resolve(res.statusCode ?? 0);
          if (res.statusCode !== 200) res.resume();
        });
        req.on("error", reject);
        req.end();
      });
    try {
      expect(await openStream()).toBe(200);
      expect(await openStream()).toBe(200);
      expect(await openStream()).toBe(503);
    } finally {
      for (const close of held) close();
    }
  });
});
