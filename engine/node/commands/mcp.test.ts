import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine/index.ts";
import { PRODUCT_FEATURES } from "../../src/product/index.ts";
import { utf8Encode } from "../../src/host/index.ts";
import { filler, plant, sessionId } from "../../src/search/corpus.test-helpers.ts";
import { createNodeHost } from "../node-host.ts";
import { storageOf } from "./export.ts";
import { searchSessions } from "./search-support.ts";

const out = join(process.cwd(), ".test-artifacts", `mcp-${process.pid}`);
const cli = join(out, "stint.mjs");
let dataDir = "";

beforeAll(async () => {
  // The real command line, bundled from source, so the SDK's client drives it over stdio as an assistant would.
  mkdirSync(out, { recursive: true });
  await build({ entryPoints: [join(process.cwd(), "engine/node/main.ts")], outfile: cli, bundle: true, format: "esm", platform: "node", target: "node20", packages: "external", logLevel: "error" });
  dataDir = mkdtempSync(join(tmpdir(), "stint-mcp-"));
  const engine = await createEngine(createNodeHost({ dataDir, env: {} }), PRODUCT_FEATURES);
  try {
    const storage = storageOf(engine);
    await plant(storage, {
      n: 1,
      name: "Harbour planning",
      day: 0,
      tags: ["ops"],
      transcript: [
        [65_000, `${filler(1, 20)} the lighthouse budget is approved`],
        [400_000, "we meet again on thursday"],
      ],
      screens: [
        [10_000, "Lighthouse dashboard, all green", ["Safari"]],
        [20_000, "deploy key sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ["Terminal"]],
      ],
      summary: { text: "Budget talk.", task: [65_000, "Send the lighthouse budget"], note: [70_000, "Approved without changes"], chapter: [0, 300_000, "Budget"] },
    });
    await plant(storage, { n: 2, name: "Lighthouse retro", day: 2 });
    await searchSessions(engine, "lighthouse", 20); // index now, so both processes answer from the same index
  } finally {
    await engine.stop();
  }
}, 60_000);

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  if (dataDir !== "") rmSync(dataDir, { recursive: true, force: true });
});

async function connect(): Promise<Client> {
  const client = new Client({ name: "stint-test", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [cli, "mcp", "--data-dir", dataDir], env: { PATH: process.env.PATH ?? "", STINT_LOG_LEVEL: "error" }, stderr: "ignore" }));
  return client;
}

const textOf = (result: Awaited<ReturnType<Client["callTool"]>>) => JSON.parse((result.content as { type: string; text: string }[]).find((c) => c.type === "text")!.text);

describe("stint mcp", () => {
  it("offers the five read-only tools", async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["get_screenshot", "get_session", "get_transcript", "list_sessions", "search"]);
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    await client.close();
  }, 60_000);

  it("answers every kind of query with exactly the hits the stint search command prints", async () => {
    const client = await connect();
    try {
      for (const query of ["lighthouse", "lighthouse budget", "lighth", '"budget is approved"', "lighthouse kind:screen", "#ops", "lighthouse after:2026-03-03", "lighthuose", "zeppelin"]) {
        // The real command, as a user runs it, in its own process.
        const run = spawnSync(process.execPath, [cli, "search", query, "--json", "--limit", "20", "--data-dir", dataDir], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", STINT_LOG_LEVEL: "error" }, timeout: 30_000 });
        expect(run.status, `${query}: ${run.stderr}`).toBe(0);
        const printed = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { hits: { sessionId: string; kind: string; startMs: number; endMs: number; snippet: { text: string } }[] };
        const served = textOf(await client.callTool({ name: "search", arguments: { query, limit: 20 } })) as { sessionId: string; kind: string; atMs: number; endMs: number; snippet: string }[];
        expect(served.map((h) => [h.sessionId, h.kind, h.atMs, h.endMs, h.snippet]), query).toEqual(printed.hits.map((h) => [h.sessionId, h.kind, h.startMs, h.endMs, h.snippet.text]));
        if (query !== "zeppelin") expect(printed.hits.length, query).toBeGreaterThan(0);
      }
    } finally {
      await client.close();
    }
  }, 120_000);

  it("search returns the hits stint search returns, and the other tools read the session at those moments", async () => {
    const engine = await createEngine(createNodeHost({ dataDir, env: {} }), PRODUCT_FEATURES);
    const direct = await searchSessions(engine, "lighthouse budget", 20);
    await engine.stop();
    const client = await connect();
    const hits = textOf(await client.callTool({ name: "search", arguments: { query: "lighthouse budget" } }));
    expect(hits.map((h: { sessionId: string; kind: string; atMs: number }) => [h.sessionId, h.kind, h.atMs])).toEqual(direct.hits.map((h) => [h.sessionId, h.kind, h.startMs]));
    expect(hits[0]).toMatchObject({ sessionId: sessionId(1) });

    const sessions = textOf(await client.callTool({ name: "list_sessions", arguments: {} }));
    expect(sessions.map((s: { id: string }) => s.id)).toEqual([sessionId(2), sessionId(1)]);
    const session = textOf(await client.callTool({ name: "get_session", arguments: { sessionId: sessionId(1) } }));
    expect(session).toMatchObject({ name: "Harbour planning", summary: "Budget talk.", tasks: [{ text: "Send the lighthouse budget", atMs: 65_000 }], notes: [{ text: "Approved without changes", atMs: 70_000 }], chapters: [{ title: "Budget", startMs: 0 }] });
    const transcript = textOf(await client.callTool({ name: "get_transcript", arguments: { sessionId: sessionId(1), fromMs: 300_000 } }));
    expect(transcript.map((l: { text: string }) => l.text)).toEqual(["we meet again on thursday"]);

    const shot = await client.callTool({ name: "get_screenshot", arguments: { sessionId: sessionId(1), atMs: 15_000 } });
    const image = (shot.content as { type: string; data?: string; mimeType?: string }[])[0]!;
    expect(image).toMatchObject({ type: "image", mimeType: "image/png" });
    expect(Buffer.from(image.data!, "base64").toString()).toBe(new TextDecoder().decode(utf8Encode("shot-1")));
    // The screenshot showing a key is withheld.
    const secret = await client.callTool({ name: "get_screenshot", arguments: { sessionId: sessionId(1), atMs: 25_000 } });
    expect(secret.isError).toBe(true);
    expect((secret.content as { type: string }[]).some((c) => c.type === "image")).toBe(false);
    await client.close();
  }, 60_000);
});
