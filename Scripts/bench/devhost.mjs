// Dev host blob serving, in a server process of its own so its memory is its own.
//
// Figures:
// - devhost.blob_range_ms: median time to fetch a 1 MB range of a 200 MB blob
//   (peer: a bare node:http server piping the same range with fs.createReadStream).
// - devhost.rss_8_parallel_range_mb: the server's peak resident memory while 8
//   clients each read a 25 MB range of the blob at once (peer: the bare server's).
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { createHash } from "node:crypto";
import { bundleForBench } from "./_bundle.mjs";

const BLOB_MB = 200;
const RANGE = 1024 * 1024;
const RUNS = 30;

function writeBlob(dir) {
  const blobs = join(dir, "attachments", "blobs");
  mkdirSync(blobs, { recursive: true });
  const block = Buffer.alloc(1024 * 1024);
  block.write("RIFF", 0, "ascii");
  block.write("WAVE", 8, "ascii");
  for (let i = 44; i < block.length; i++) block[i] = (i * 31) % 251;
  const hash = createHash("sha256");
  const temp = join(blobs, "blob.tmp");
  const fd = openSync(temp, "w");
  for (let i = 0; i < BLOB_MB; i++) {
    writeSync(fd, block);
    hash.update(block);
  }
  closeSync(fd);
  const digest = hash.digest("hex");
  const path = join(blobs, `${digest}.dat`);
  renameSync(temp, path);
  return { digest, path };
}

const SERVER = (bundle, kind, dataDir, blobPath) => `
  const kind = ${JSON.stringify(kind)};
  if (kind === "stint") {
    const m = await import(${JSON.stringify(bundle)});
    const engine = await m.createEngine(m.createMemoryHost({ time: "real" }), []);
    const server = await m.startDevServer({ engine, dataDir: ${JSON.stringify(dataDir)}, staticDir: ${JSON.stringify(dataDir)}, port: 0 });
    console.log(JSON.stringify({ port: server.port, token: server.token }));
  } else {
    const http = await import("node:http");
    const fs = await import("node:fs");
    const server = http.createServer((req, res) => {
      const [, a, b] = /bytes=(\\d+)-(\\d+)/.exec(req.headers.range ?? "") ?? [];
      const start = Number(a ?? 0), end = Number(b ?? fs.statSync(${JSON.stringify(blobPath)}).size - 1);
      res.writeHead(206, { "content-length": end - start + 1 });
      fs.createReadStream(${JSON.stringify(blobPath)}, { start, end }).pipe(res);
    });
    server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: server.address().port, token: "" })));
  }
`;

async function startServer(script) {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    let text = "";
    child.stdout.on("data", (chunk) => {
      text += chunk;
      if (text.includes("\n")) resolve(text.split("\n")[0]);
    });
    child.on("exit", (code) => reject(new Error(`server exited ${code}`)));
  });
  return { child, ...JSON.parse(line) };
}

function fetchRange(server, path, start, end) {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, path, headers: { authorization: `Bearer ${server.token}`, range: `bytes=${start}-${end}` } }, (res) => {
      let bytes = 0;
      res.on("data", (chunk) => (bytes += chunk.length));
      res.on("end", () => resolve(bytes));
    });
    req.on("error", reject);
    req.end();
  });
}

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(server, path) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const start = ((i * 7919) % (BLOB_MB - 2)) * RANGE;
    const t0 = performance.now();
    const got = await fetchRange(server, path, start, start + RANGE - 1);
    times.push(performance.now() - t0);
    if (got !== RANGE) throw new Error(`a 1 MB range returned ${got} bytes`);
  }
  let peak = rssMb(server.child.pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.child.pid))), 5);
  const part = 25 * RANGE;
  await Promise.all(Array.from({ length: 8 }, (_, i) => fetchRange(server, path, i * part, (i + 1) * part - 1)));
  clearInterval(sampler);
  peak = Math.max(peak, rssMb(server.child.pid));
  return { rangeMs: median(times), peakMb: peak };
}

export default async function devhostBench({ root }) {
  await bundleForBench(
    root,
    "devhost",
    `
      export { startDevServer } from "./engine/node/server/dev-server.ts";
      export { createEngine } from "./engine/src/engine/index.ts";
      export { createMemoryHost } from "./engine/src/host/index.ts";
    `,
  );
  const bundle = join(root, ".bench", "devhost-bench.mjs");
  const dir = mkdtempSync(join(tmpdir(), "stint-devhost-bench-"));
  const servers = [];
  try {
    const blob = writeBlob(dir);
    const stint = await startServer(SERVER(bundle, "stint", dir, blob.path));
    servers.push(stint.child);
    const bare = await startServer(SERVER(bundle, "bare", dir, blob.path));
    servers.push(bare.child);
    const ours = await measure(stint, `/blobs/${blob.digest}`);
    const peer = await measure(bare, "/");
    return [
      { name: "devhost.blob_range_ms", value: ours.rangeMs, unit: "ms", better: "lower", goal: 20, peers: { bareNode: peer.rangeMs } },
      { name: "devhost.rss_8_parallel_range_mb", value: ours.peakMb, unit: "MB", better: "lower", goal: 150, peers: { bareNode: peer.peakMb } },
    ];
  } finally {
    for (const child of servers) child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
