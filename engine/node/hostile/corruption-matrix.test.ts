/**
 * The corruption matrix: each kind of damage to a data folder, run through
 * verify, repair and gc in every order. Whatever a redundant copy still holds
 * must come back; nothing else may be lost; nothing outside the data folder
 * may change.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { utf8Encode } from "../../src/host/index.ts";
import { createFileAdapter, createStorage, type OpenedStorage } from "../../src/storage/index.ts";
import { newSessionMetadata, screenshotOf, sessionIdFor } from "../../src/storage/test-fixtures.ts";
import { createNodeHost } from "../node-host.ts";
import { changes, createGround, type Ground, sha256Hex, snapshot } from "./fixture.ts";

const FINISHED = sessionIdFor(0xa); // completed: its pack is a second copy of its chunks
const RECORDING = sessionIdFor(0xb); // still recording: no pack, its chunks are the only copy
const shotsOf = (id: string) => (id === FINISHED ? 45 : 25);

let template: Ground;
const blobsOf = new Map<string, string[]>(); // session → attachment ids in item order

async function open(dataDir: string): Promise<OpenedStorage> {
  const host = createNodeHost({ dataDir, env: {} });
  return createStorage({ host, adapter: createFileAdapter({ files: host.files, crypto: host.crypto, root: "" }), lowPriorityDelayMs: 0 });
}

beforeAll(async () => {
  template = createGround("matrix");
  const storage = await open(template.dataDir);
  for (const id of [FINISHED, RECORDING]) {
    await storage.sessions.saveMetadata(newSessionMetadata(id, { name: id === FINISHED ? "Finished" : "Recording" }));
    const ids: string[] = [];
    for (let n = 0; n < shotsOf(id); n++) {
      const attachment = await storage.attachments.saveAttachment(utf8Encode(`${id}-shot-${n}`), { type: "screenshot", mimeType: "image/png" }, { sessionId: id });
      await storage.sessions.appendScreenshot(id, screenshotOf(n, attachment.id));
      ids.push(attachment.id);
    }
    blobsOf.set(id, ids);
  }
  await storage.sessions.updateMetadata(FINISHED, (current) => ({ ...current, status: "completed", endedAt: 1_700_000_300_000 }));
  await storage.close();
  // The pack is written in the background after the session ends; wait for it (a ceiling only to catch a hang).
  for (let attempt = 0; attempt < 200 && !existsSync(join(template.dataDir, "screenshots", FINISHED, "pack.json")); attempt++) await new Promise((r) => setTimeout(r, 25));
  expect(existsSync(join(template.dataDir, "screenshots", FINISHED, "pack.json"))).toBe(true);
});

afterAll(() => template?.cleanup());

interface Corruption {
  readonly name: string;
  apply(dataDir: string, outside: string): void;
  /** The blob this damage destroys outright (nothing holds another copy). */
  readonly destroys?: () => string;
  /** Items with no copy anywhere: the session keeps the rest, and every blob. */
  readonly loses?: { readonly session: string; readonly items: number };
  /** The session comes back under a rebuilt name (every copy of its metadata is gone). */
  readonly renamed?: string;
}

const chunk = (dataDir: string, id: string, index: number) => join(dataDir, "screenshots", id, `${index}.json`);
const meta = (dataDir: string, id: string) => join(dataDir, "sessions", "metadata", `${id}.json`);
const index = (dataDir: string) => join(dataDir, "sessions", "metadata", "index.json");
const blob = (dataDir: string, id: string) => join(dataDir, "attachments", "blobs", `${id}.dat`);
const attachmentMeta = (dataDir: string, id: string) => join(dataDir, "attachments", "metadata", `${id}.json`);
const firstBlob = () => blobsOf.get(FINISHED)![3]!;
const cut = (path: string, bytes: number) => truncateSync(path, readFileSync(path).length - bytes);

const CORRUPTIONS: readonly Corruption[] = [
  { name: "a finished session's chunk cut short by 10 bytes", apply: (d) => cut(chunk(d, FINISHED, 1), 10) },
  { name: "a finished session's chunk zeroed", apply: (d) => writeFileSync(chunk(d, FINISHED, 0), Buffer.alloc(readFileSync(chunk(d, FINISHED, 0)).length)) },
  {
    name: "a finished session's chunk replaced by a link to an outside file",
    apply: (d, outside) => {
      unlinkSync(chunk(d, FINISHED, 1));
      symlinkSync(join(outside, "Documents", "notes.txt"), chunk(d, FINISHED, 1));
    },
  },
  { name: "a finished session's chunk deleted", apply: (d) => unlinkSync(chunk(d, FINISHED, 2)) },
  { name: "a recording session's chunk cut short (no other copy)", apply: (d) => cut(chunk(d, RECORDING, 0), 10), loses: { session: RECORDING, items: 20 } },
  { name: "a recording session's chunk deleted (no other copy)", apply: (d) => unlinkSync(chunk(d, RECORDING, 1)), loses: { session: RECORDING, items: 5 } },
  { name: "garbage session metadata", apply: (d) => writeFileSync(meta(d, FINISHED), "{\"schemaVersion\":2,\"id\":") },
  { name: "session metadata deleted", apply: (d) => unlinkSync(meta(d, RECORDING)) },
  { name: "a garbage list index", apply: (d) => writeFileSync(index(d), "garbage") },
  { name: "the list index deleted", apply: (d) => unlinkSync(index(d)) },
  {
    name: "garbage metadata and a garbage index together",
    apply: (d) => {
      writeFileSync(meta(d, FINISHED), "\u0000\u0000garbage");
      writeFileSync(index(d), "{\"v\":1,\"sessions\":[{]}");
    },
    renamed: FINISHED,
  },
  { name: "a blob deleted", apply: (d) => unlinkSync(blob(d, firstBlob())), destroys: firstBlob },
  {
    name: "a blob with a flipped byte",
    apply: (d) => {
      const bytes = readFileSync(blob(d, firstBlob()));
      bytes[0] = bytes[0]! ^ 1;
      writeFileSync(blob(d, firstBlob()), bytes);
    },
    destroys: firstBlob,
  },
  { name: "garbage attachment metadata", apply: (d) => writeFileSync(attachmentMeta(d, firstBlob()), "not json") },
  { name: "attachment metadata deleted", apply: (d) => unlinkSync(attachmentMeta(d, firstBlob())) },
  {
    name: "an attachment's reference count zeroed",
    apply: (d) => {
      const record = JSON.parse(readFileSync(attachmentMeta(d, firstBlob()), "utf8"));
      writeFileSync(attachmentMeta(d, firstBlob()), JSON.stringify({ ...record, refCount: 0, referencedBy: [] }));
    },
  },
  {
    name: "garbage in the journal",
    apply: (d) => {
      mkdirSync(join(d, "journal"), { recursive: true });
      writeFileSync(join(d, "journal", "commit-deadbeef.json"), "{\"ops\":[{\"type\":\"delete\",\"key\":\"sessions/meta");
      writeFileSync(join(d, "journal", "stray.bin"), Buffer.from([0, 1, 2, 3]));
    },
  },
  { name: "a garbage pack", apply: (d) => writeFileSync(join(d, "screenshots", FINISHED, "pack.json"), "{\"sessionId\":1}") },
];

type Step = "verify" | "repair" | "gc";
const ORDERS: readonly (readonly Step[])[] = [
  ["verify", "repair", "gc"],
  ["verify", "gc", "repair"],
  ["repair", "verify", "gc"],
  ["repair", "gc", "verify"],
  ["gc", "verify", "repair"],
  ["gc", "repair", "verify"],
];

async function run(storage: OpenedStorage, step: Step): Promise<void> {
  if (step === "verify") await storage.verify();
  else if (step === "repair") await storage.repair();
  // The most eager gc there is: no grace period at all.
  else await storage.attachments.deleteOrphanedAttachments(Number.MAX_SAFE_INTEGER);
}

const cases = CORRUPTIONS.flatMap((corruption) => ORDERS.map((order) => [corruption.name, order.join(" → "), corruption, order] as const));

describe("corruption matrix", () => {
  it.each(cases)("%s, then %s: what a copy holds comes back, nothing else is lost", async (_name, _order, corruption, order) => {
    const ground = createGround("case");
    try {
      rmSync(ground.dataDir, { recursive: true, force: true });
      cpSync(template.dataDir, ground.dataDir, { recursive: true });
      corruption.apply(ground.dataDir, ground.outside);
      const outsideBefore = snapshot(ground.outside);
      const storage = await open(ground.dataDir);
      try {
        for (const step of order) await run(storage, step);
        const { sessions } = await storage.sessions.listMetadata({});
        for (const id of [FINISHED, RECORDING]) {
          const listed = sessions.find((session) => session.id === id);
          expect(listed, `${id} is listed`).toBeDefined();
          if (corruption.renamed !== id) expect(listed!.name).toBe(id === FINISHED ? "Finished" : "Recording");
          const shots = await storage.sessions.getScreenshots(id);
          const lost = corruption.loses?.session === id ? corruption.loses.items : 0;
          expect(shots).toHaveLength(shotsOf(id) - lost);
          const expected = blobsOf.get(id)!;
          for (const shot of shots) expect(shot.attachmentId).toBe(expected[shot.sequenceNumber]);
          // Every blob survives, also those whose records are lost — except one the damage itself destroyed.
          for (const [n, attachmentId] of expected.entries()) {
            if (corruption.destroys?.() === attachmentId) continue;
            expect(readFileSync(blob(ground.dataDir, attachmentId)).toString(), `blob of ${id} shot ${n}`).toBe(`${id}-shot-${n}`);
          }
        }
        if (corruption.destroys !== undefined) {
          // A wrong-hash blob is kept in the quarantine, not deleted.
          const quarantined = existsSync(join(ground.dataDir, "quarantine")) ? readdirSync(join(ground.dataDir, "quarantine")) : [];
          if (corruption.name.includes("flipped") && order.indexOf("verify") < order.indexOf("gc")) expect(quarantined.some((name) => name.includes(corruption.destroys!()))).toBe(true);
        }
        // Once repaired and verified, only what no copy held is left to report.
        await storage.repair();
        const report = await storage.verify();
        const kinds = new Set(report.problems.map((problem) => problem.kind));
        if (corruption.destroys === undefined && corruption.loses === undefined) expect(report.problems).toEqual([]);
        else for (const kind of kinds) expect(["blob_missing", "count_mismatch"]).toContain(kind);
      } finally {
        await storage.close();
      }
      expect(changes(outsideBefore, snapshot(ground.outside))).toEqual([]);
    } finally {
      ground.cleanup();
    }
  });

  it("covers every kind of damage in every order", () => {
    expect(CORRUPTIONS).toHaveLength(18);
    expect(cases).toHaveLength(18 * 6);
    expect(sha256Hex("x")).toHaveLength(64);
  });
});
