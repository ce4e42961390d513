import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine/index.ts";
import { createMemoryHost } from "../../src/host/index.ts";
import { createReviewFeatureFactory } from "../../src/review/index.ts";
import { startDevServer, type DevServer } from "./dev-server.ts";
import { checkBindHost, originProblem } from "./security.ts";
import { resolveStatic, sniffType } from "./static-files.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{ server: DevServer; dataDir: string; emit: (method: string, params: unknown) => void }> {
  const root = mkdtempSync(join(tmpdir(), "stint-devserver-"));
  const staticDir = join(root, "ui");
  const dataDir = join(root, "data");
  mkdirSync(staticDir);
  mkdirSync(join(dataDir, "attachments/blobs"), { recursive: true });
  writeFileSync(join(staticDir, "index.html"), "<!doctype html><title>Stint</title>");
  writeFileSync(join(staticDir, "app.js"), "export {}");
  writeFileSync(join(root, "secret.txt"), "outside");
  const engine = await createEngine(createMemoryHost({ time: "real" }), [createReviewFeatureFactory({ demo: true })]);
  const server = await startDevServer({ engine, dataDir, staticDir, port: 0, heartbeatMs: 50 });
  cleanups.push(() => rmSync(root, { recursive: true, force: true }), () => engine.stop(), () => server.close());
  return { server, dataDir, emit: (method, params) => engine.context.emit(method, params) };
}

/** A raw request, so Host and Origin can be set as an attacker would. */
function raw(server: DevServer, path: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: server.port, path, method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

const bridge = (server: DevServer, body: string, headers: Record<string, string> = {}) =>
  raw(server, "/bridge", { method: "POST", headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json", ...headers }, body });

describe("dev server", () => {
  it("serves the panel with the token and sets the cookie its own scripts use", async () => {
    const { server } = await setup();
    const page = await raw(server, `/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(String(page.headers["set-cookie"])).toContain("HttpOnly; SameSite=Strict");
    const script = await raw(server, "/app.js", { headers: { cookie: `stint_token_${server.port}=${server.token}` } });
    expect(script.status).toBe(200);
    expect(script.headers["content-type"]).toContain("javascript");
    // Another server's cookie on the same host does not count.
    expect((await raw(server, "/app.js", { headers: { cookie: `stint_token_1=${server.token}` } })).status).toBe(401);
  });

  it("refuses requests without the token, with a wrong token, from another origin or another Host", async () => {
    const { server } = await setup();
    expect((await raw(server, "/")).status).toBe(401);
    expect((await raw(server, `/?token=${"0".repeat(64)}`)).status).toBe(401);
    expect((await raw(server, "/events")).status).toBe(401);
    expect((await raw(server, "/bridge", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(401);
    expect((await raw(server, `/?token=${server.token}`, { headers: { origin: "http://evil.example" } })).status).toBe(403);
    expect((await bridge(server, '{"v":1,"id":1,"method":"engine.version"}', { origin: "null" })).status).toBe(403);
    expect((await bridge(server, '{"v":1,"id":1,"method":"engine.version"}', { "sec-fetch-site": "cross-site" })).status).toBe(403);
    // DNS rebinding: a foreign name resolving to 127.0.0.1 arrives with its own Host header.
    expect((await raw(server, `/?token=${server.token}`, { headers: { host: `rebind.example:${server.port}` } })).status).toBe(403);
    expect((await bridge(server, '{"v":1,"id":1,"method":"engine.version"}', { origin: server.url })).status).toBe(200);
  });

  it("relays valid envelopes and refuses oversized, non-JSON and malformed bodies", async () => {
    const { server } = await setup();
    const ok = await bridge(server, '{"v":1,"id":7,"method":"review.list","params":{}}');
    expect(JSON.parse(ok.body)).toMatchObject({ v: 1, id: 7, result: { library: "demo" } });
    const unknown = await bridge(server, '{"v":1,"id":8,"method":"nope.nothing"}');
    expect(JSON.parse(unknown.body)).toMatchObject({ id: 8, error: { code: "bridge.unknown_method" } });
    expect((await bridge(server, "x".repeat(1_000_001))).status).toBe(413);
    // A body without a declared length that never ends is cut off, not read forever.
    const endless = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port: server.port, path: "/bridge", method: "POST", headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on("error", (e) => ((e as { code?: string }).code === "ECONNRESET" || (e as { code?: string }).code === "EPIPE" ? undefined : reject(e)));
      const chunk = "x".repeat(64 * 1024);
      const pump = () => {
        if (!req.destroyed) req.write(chunk, () => setImmediate(pump));
      };
      pump();
    });
    expect(endless).toBe(413);
    expect((await bridge(server, "{not json")).status).toBe(400);
    expect(JSON.parse((await bridge(server, '{"v":2,"method":"a.b"}')).body)).toMatchObject({ error: { code: "bridge.invalid_message" } });
    expect((await raw(server, "/bridge", { method: "POST", headers: { authorization: `Bearer ${server.token}`, "content-type": "text/plain" }, body: "{}" })).status).toBe(415);
    expect((await raw(server, "/bridge", { headers: { authorization: `Bearer ${server.token}` } })).status).toBe(405);
    expect((await bridge(server, '{"v":1,"method":"review.status"}')).status).toBe(204);
  });

  it("serves static files only from the panel folder", async () => {
    const { server } = await setup();
    const auth = { authorization: `Bearer ${server.token}` };
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/.hidden", "/nothing.js"]) {
      const res = await raw(server, path, { headers: auth });
      expect([400, 403, 404]).toContain(res.status);
      expect(res.body).not.toContain("outside");
    }
    expect(resolveStatic("/srv/ui", "/../x")).toBeUndefined();
    expect(resolveStatic("/srv/ui", "/%2e%2e/x")).toBeUndefined();
    expect(resolveStatic("/srv/ui", "/")).toBe("/srv/ui/index.html");
  });

  it("serves attachments by validated digest, with ranges, and refuses anything else", async () => {
    const { server, dataDir } = await setup();
    const auth = { authorization: `Bearer ${server.token}` };
    const digest = "ab".repeat(32);
    const wav = Buffer.concat([Buffer.from("RIFF\0\0\0\0WAVEfmt "), Buffer.alloc(100, 7)]);
    writeFileSync(join(dataDir, "attachments/blobs", `${digest}.dat`), wav);
    const full = await raw(server, `/blobs/${digest}`, { headers: auth });
    expect(full.status).toBe(200);
    expect(full.headers["content-type"]).toBe("audio/wav");
    expect(full.headers["content-security-policy"]).toContain("sandbox");
    const part = await raw(server, `/blobs/${digest}`, { headers: { ...auth, range: "bytes=4-7" } });
    expect(part.status).toBe(206);
    expect(part.headers["content-range"]).toBe(`bytes 4-7/${wav.length}`);
    expect((await raw(server, `/blobs/${"cd".repeat(32)}`, { headers: auth })).status).toBe(404);
    expect((await raw(server, "/blobs/../../etc/passwd", { headers: auth })).status).not.toBe(200);
    expect((await raw(server, `/blobs/${digest.toUpperCase()}`, { headers: auth })).status).toBe(400);
    const demo = await raw(server, `/blobs/de01000200000003${"0".repeat(48)}`, { headers: auth });
    expect(demo.status).toBe(200);
    expect(demo.headers["content-type"]).toBe("image/svg+xml");
  });

  it("streams engine events over server-sent events to a client with the token", async () => {
    const { server, emit } = await setup();
    const received = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port: server.port, path: `/events?token=${server.token}` }, (res) => {
        expect(res.headers["content-type"]).toBe("text/event-stream");
        let text = "";
        res.on("data", (d) => {
          text += d;
          if (text.includes("connected")) emit("session.state", { status: "active" });
          if (text.includes("session.state")) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on("error", (e) => ((e as { code?: string }).code === "ECONNRESET" ? undefined : reject(e)));
      req.end();
    });
    expect(received).toContain('data: {"v":1,"method":"session.state","params":{"status":"active"}}');
  });

  it("on a wildcard bind, accepts any Host but still only its own origin", () => {
    const req = (headers: Record<string, string>) => ({ headers }) as unknown as import("node:http").IncomingMessage;
    expect(originProblem(req({ host: "192.168.1.5:4815" }), "any")).toBeUndefined();
    expect(originProblem(req({ host: "192.168.1.5:4815", origin: "http://192.168.1.5:4815" }), "any")).toBeUndefined();
    expect(originProblem(req({ host: "192.168.1.5:4815", origin: "http://evil.example" }), "any")).toMatch(/another origin/);
    expect(originProblem(req({ host: "192.168.1.5:4815" }), new Set(["127.0.0.1:4815"]))).toMatch(/Host/);
  });

  it("binds to loopback unless another host is named explicitly", () => {
    expect(() => checkBindHost("0.0.0.0", false)).toThrow(/explicit --host/);
    expect(() => checkBindHost("0.0.0.0", true)).not.toThrow();
    expect(() => checkBindHost("127.0.0.1", false)).not.toThrow();
    expect(sniffType(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBe("image/png");
  });
});
