/**
 * The smaller attacks: names that drive the terminal, a reader that closes
 * the pipe, a mixed-case media type, a body of 60,000 unknown keys, a session
 * stored without capture stats.
 */
import { mkdirSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import * as z from "zod";
import { describe, expect, it } from "vitest";
import { createRouter, defineMethod } from "../../src/bridge/index.ts";
import { createEngine } from "../../src/engine/index.ts";
import { createMemoryHost } from "../../src/host/index.ts";
import { createReviewFeatureFactory } from "../../src/review/index.ts";
import { createOutput, oneLine, terminalSafe } from "../output.ts";
import { startDevServer } from "../server/dev-server.ts";
import { SESSION_SCHEMA_VERSION } from "../../src/domain/index.ts";
import { PRODUCT_FEATURES } from "../../src/product/index.ts";
import { runCliIn } from "../cli-capture.ts";
import { storageOf } from "../commands/export.ts";
import { showCommand } from "../commands/storage-command-set.ts";
import { createNodeHost } from "../node-host.ts";
import { createGround } from "./fixture.ts";

const HOSTILE_NAME = "Weekly\u001b[2J\u001b[H\u001b]0;owned\u0007\rroot# \u009b31m\nfake line";

describe("terminal-safe output", () => {
  it("escapes every control character a name could use to drive the terminal", () => {
    const safe = oneLine(HOSTILE_NAME);
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(safe).toContain("\\x1b[2J");
    expect(safe).toContain("\\x0a");
    expect(terminalSafe("line one\nline two\tend")).toBe("line one\nline two\tend");
  });

  it("writes lines and notices escaped", () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let text = "";
    stdout.on("data", (chunk) => (text += chunk));
    stderr.on("data", (chunk) => (text += chunk));
    const out = createOutput({ json: false, stdout, stderr });
    out.line(`name: ${HOSTILE_NAME}`);
    out.notice(HOSTILE_NAME);
    expect(text).not.toMatch(/[\u001b\u0007\r\u009b]/);
  });

  it("stops quietly when the reader closes the pipe (EPIPE)", () => {
    let writes = 0;
    const stdout = new Writable({
      write(_chunk, _encoding, callback) {
        writes++;
        const error = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
        callback(error);
      },
    });
    const out = createOutput({ json: false, stdout, stderr: new PassThrough() });
    out.line("first");
    return new Promise<void>((resolve) => {
      setImmediate(() => {
        expect(() => {
          for (let n = 0; n < 100; n++) out.line(`line ${n}`);
        }).not.toThrow();
        expect(writes).toBe(1);
        resolve();
      });
    });
  });
});

describe("bridge input", () => {
  it("keeps the error reply small whatever the body held", async () => {
    const router = createRouter();
    router.register({ "demo.strict": defineMethod(z.object({ a: z.string() }).strict(), () => null) });
    const params: Record<string, number> = { a: 1 } as never;
    for (let n = 0; n < 60_000; n++) params[`unknown_key_${n}`] = n;
    const reply = await router.handle({ v: 1, id: 1, method: "demo.strict", params });
    expect(reply).toMatchObject({ error: { code: "bridge.invalid_params" } });
    expect(JSON.stringify(reply).length).toBeLessThan(4_000);
  });

  it("takes a media type in any case", async () => {
    const ground = createGround("media-type");
    mkdirSync(join(ground.root, "ui"));
    const engine = await createEngine(createMemoryHost({ time: "real" }), [createReviewFeatureFactory({ demo: true })]);
    const server = await startDevServer({ engine, dataDir: ground.dataDir, staticDir: join(ground.root, "ui"), port: 0 });
    try {
      const post = (type: string) =>
        new Promise<number>((resolve, reject) => {
          const body = JSON.stringify({ v: 1, id: 1, method: "engine.version", params: {} });
          const req = httpRequest({ host: "127.0.0.1", port: server.port, path: "/bridge", method: "POST", headers: { authorization: `Bearer ${server.token}`, "content-type": type } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on("error", reject);
          req.end(body);
        });
      expect(await post("Application/JSON")).toBe(200);
      expect(await post("application/json; charset=UTF-8")).toBe(200);
      expect(await post("application/jsonp")).toBe(415);
      expect(await post("text/plain")).toBe(415);
    } finally {
      await server.close();
      await engine.stop();
      ground.cleanup();
    }
  });
});

describe("stint show", () => {
  it("shows a session stored without capture stats instead of crashing", async () => {
    const ground = createGround("show-no-stats");
    const id = "5e551011-0000-4000-8000-0000000057a7";
    try {
      const engine = await createEngine(createNodeHost({ dataDir: ground.dataDir, env: {} }), PRODUCT_FEATURES);
      try {
        const saved = await storageOf(engine).sessions.saveMetadata({
          schemaVersion: SESSION_SCHEMA_VERSION,
          id,
          name: "No stats",
          status: "completed",
          startedAt: Date.UTC(2024, 2, 1),
          endedAt: Date.UTC(2024, 2, 1, 1),
          activeDurationMs: 3_600_000,
          recordingConfig: { screenshots: { enabled: true, intervalMs: 5000 }, audio: { microphone: false, systemAudio: false }, video: { enabled: false } },
          tags: [],
        });
        expect(saved.integrity).toBeUndefined();
      } finally {
        await engine.stop();
      }
      for (const argv of [["show", id], ["show", id, "--json"]]) {
        const run = await runCliIn(ground.dataDir, [showCommand], argv);
        expect(run.code, run.err).toBe(0);
        expect(run.err).toBe("");
        expect(run.out).toContain(argv.length === 2 ? "No stats" : id);
      }
    } finally {
      ground.cleanup();
    }
  });
});
