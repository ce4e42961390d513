/**
 * Attacks on recorder files: a token holder or a forged recorder message names
 * files anywhere. Each must be refused, nothing outside the data folder may
 * change, and no stored byte may be lost.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine/index.ts";
import { PRODUCT_FEATURES } from "../../src/product/index.ts";
import { createNodeHost } from "../node-host.ts";
import { startDevServer, type DevServer } from "../server/dev-server.ts";
import { createNodeSimulatedRecorder } from "../simulated-recorder/index.ts";
import { changes, createGround, type Ground, losses, sha256Hex, snapshot } from "./fixture.ts";

let ground: Ground;
let engine: Engine;
let server: DevServer;
let sessionId: string;
let storedBlob: string;

async function waitFor<T>(probe: () => T | undefined, what: string): Promise<T> {
  // A generous ceiling only to catch a hang; the loop ends as soon as the state is there.
  for (let attempt = 0; attempt < 600; attempt++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  ground = createGround("recorder");
  const simulated = createNodeSimulatedRecorder({ speechTool: false, videoTool: false });
  const host = createNodeHost({ dataDir: ground.dataDir, env: {}, recorder: simulated.recorder });
  engine = await createEngine(host, PRODUCT_FEATURES, { background: false });
  simulated.bind(host, engine);
  const started = (await engine.handle({ v: 1, id: 1, method: "session.start", params: { screenshots: { enabled: true, intervalMs: 3_600_000 }, audio: { microphone: false, systemAudio: false }, video: { enabled: false } } }, "command")) as { result: { sessionId: string } };
  sessionId = started.result.sessionId;
  const blobs = join(ground.dataDir, "attachments", "blobs");
  storedBlob = await waitFor(() => (existsSync(blobs) ? readdirSync(blobs).find((name) => name.endsWith(".dat")) : undefined), "the first screenshot");
  mkdirSync(join(ground.root, "ui"));
  server = await startDevServer({ engine, dataDir: ground.dataDir, staticDir: join(ground.root, "ui"), port: 0 });
});

afterAll(async () => {
  await server?.close();
  await engine?.stop();
  ground?.cleanup();
});

function panel(body: unknown): Promise<{ status: number; json: { error?: { code: string } } }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port: server.port, path: "/bridge", method: "POST", headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json", "content-length": Buffer.byteLength(text) } },
      (res) => {
        let data = "";
        res.on("data", (chunk) => (data += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(data) }));
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

interface Attack {
  readonly name: string;
  /** Plants what the attack needs (before the snapshots); returns the path to report and its bytes. */
  plant(): { path: string; bytes: Uint8Array };
}

const staging = () => join(ground.dataDir, "capture", sessionId);

const ATTACKS: readonly Attack[] = [
  { name: "an absolute path to a key outside the data folder", plant: () => ({ path: join(ground.outside, ".ssh", "id_ed25519"), bytes: readFileSync(join(ground.outside, ".ssh", "id_ed25519")) }) },
  {
    name: "an outside file whose digest is already stored (was deleted)",
    plant: () => {
      const copy = join(ground.outside, "Documents", "copy.png");
      copyFileSync(join(ground.dataDir, "attachments", "blobs", storedBlob), copy);
      return { path: copy, bytes: readFileSync(copy) };
    },
  },
  { name: "a whole outside folder", plant: () => ({ path: join(ground.outside, "Documents", "project"), bytes: new TextEncoder().encode("folder") }) },
  {
    name: "a session's own metadata, data-relative",
    plant: () => {
      const folder = join(ground.dataDir, "sessions");
      const file = findFile(folder);
      return { path: relative(ground.dataDir, file), bytes: readFileSync(file) };
    },
  },
  { name: "a traversal out of the staging folder", plant: () => ({ path: `capture/${sessionId}/../../../home/.ssh/id_ed25519`, bytes: readFileSync(join(ground.outside, ".ssh", "id_ed25519")) }) },
  {
    name: "an outside folder dressed as a staging folder",
    plant: () => {
      const fake = join(ground.outside, "capture", sessionId);
      mkdirSync(fake, { recursive: true });
      writeFileSync(join(fake, "shot.png"), "outside shot");
      return { path: join(fake, "shot.png"), bytes: new TextEncoder().encode("outside shot") };
    },
  },
  {
    name: "a symbolic link in the staging folder to an outside key",
    plant: () => {
      symlinkSync(join(ground.outside, ".ssh", "id_ed25519"), join(staging(), "link.png"));
      return { path: join(staging(), "link.png"), bytes: readFileSync(join(ground.outside, ".ssh", "id_ed25519")) };
    },
  },
  {
    name: "a linked folder inside the staging folder",
    plant: () => {
      symlinkSync(join(ground.outside, "Documents"), join(staging(), "docs"));
      return { path: `capture/${sessionId}/docs/notes.txt`, bytes: readFileSync(join(ground.outside, "Documents", "notes.txt")) };
    },
  },
  {
    name: "a hard link in the staging folder to an outside file",
    plant: () => {
      linkSync(join(ground.outside, "Documents", "project", "a.txt"), join(staging(), "hard.png"));
      return { path: join(staging(), "hard.png"), bytes: readFileSync(join(ground.outside, "Documents", "project", "a.txt")) };
    },
  },
  {
    name: "a folder inside the staging folder",
    plant: () => {
      mkdirSync(join(staging(), "folder"));
      return { path: `capture/${sessionId}/folder`, bytes: new TextEncoder().encode("folder") };
    },
  },
  {
    name: "a staged file that does not match its reported digest",
    plant: () => {
      writeFileSync(join(staging(), "forged.png"), "forged bytes");
      return { path: `capture/${sessionId}/forged.png`, bytes: new TextEncoder().encode("what the report claims") };
    },
  },
];

function findFile(folder: string): string {
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) {
      const found = findFile(path);
      if (found !== "") return found;
    } else return path;
  }
  return "";
}

function screenshot(sequence: number, path: string, bytes: Uint8Array) {
  return { sessionId, sequence, path, sha256: sha256Hex(bytes), size: bytes.length, width: 10, height: 10, capturedAt: Date.now() };
}

// A running session rewrites its records (metadata, reference counts, machine state, health, logs): they must
// stay; blobs, and whatever was planted in the staging folder, must keep every byte.
const volatile = (name: string) => !name.startsWith("attachments/blobs/") && !name.startsWith("capture/");

describe("recorder files are confined to the staging folder", () => {
  it("a token holder cannot send recorder notifications at all", async () => {
    const outsideBefore = snapshot(ground.outside);
    const key = readFileSync(join(ground.outside, ".ssh", "id_ed25519"));
    for (const method of ["recording.screenshot", "recording.audio", "recording.video", "recording.health"]) {
      const reply = await panel({ v: 1, id: 1, method, params: { ...screenshot(900, join(ground.outside, ".ssh", "id_ed25519"), key), startedAt: Date.now(), durationMs: 1000 } });
      expect(reply.status).toBe(200);
      expect(reply.json.error?.code).toBe("bridge.unknown_method");
    }
    expect(changes(outsideBefore, snapshot(ground.outside))).toEqual([]);
  });

  it.each(ATTACKS.map((attack, index) => [attack.name, index] as const))("refuses %s from the recorder's own connection", async (_name, index) => {
    const planted = ATTACKS[index]!.plant();
    const outsideBefore = snapshot(ground.outside);
    const dataBefore = snapshot(ground.dataDir);
    // Through the panel it is unknown; from the recorder it is refused.
    const viaPanel = await panel({ v: 1, id: 1, method: "recording.screenshot", params: screenshot(1000 + index, planted.path, planted.bytes) });
    expect(viaPanel.json.error?.code).toBe("bridge.unknown_method");
    const reply = (await engine.handle({ v: 1, id: 2, method: "recording.screenshot", params: screenshot(2000 + index, planted.path, planted.bytes) }, "recorder")) as { error?: { code: string } };
    expect(["recording.invalid_item", "recording.hash_mismatch"]).toContain(reply.error?.code);
    expect(changes(outsideBefore, snapshot(ground.outside))).toEqual([]);
    // A journal entry lives only until its transaction is applied: a snapshot taken mid-commit may hold one.
    expect(losses(dataBefore, snapshot(ground.dataDir), volatile).filter((line) => !/^journal\/\d+-/.test(line))).toEqual([]);
  });

  it("still adopts what the recorder writes into its staging folder", async () => {
    const bytes = new TextEncoder().encode("a staged screenshot");
    writeFileSync(join(staging(), "shot-9000.png"), bytes);
    const reply = (await engine.handle({ v: 1, id: 3, method: "recording.screenshot", params: screenshot(9000, join(staging(), "shot-9000.png"), bytes) }, "recorder")) as { result?: { accepted: boolean }; error?: unknown };
    expect(reply.error).toBeUndefined();
    expect(reply.result?.accepted).toBe(true);
    expect(readFileSync(join(ground.dataDir, "attachments", "blobs", `${sha256Hex(bytes)}.dat`))).toEqual(Buffer.from(bytes));
  });
});
