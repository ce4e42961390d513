import { createMemoryHost, sha256Hex, utf8Encode, type HostPort } from "../host/index.ts";
import type { FaultFiles } from "../testing/fault-files.ts";
import { createFileAdapter, createStorage, type OpenedStorage } from "./index.ts";
import { newSessionMetadata, screenshotOf, sessionIdFor } from "./test-fixtures.ts";

/** What the workload saw acknowledged (its promise resolved) before it stopped. */
export type Ack =
  | { readonly kind: "session"; readonly sessionId: string }
  | { readonly kind: "screenshot" | "audio"; readonly sessionId: string; readonly sequenceNumber: number }
  | { readonly kind: "tx"; readonly n: number }
  | { readonly kind: "deleting"; readonly sessionId: string }
  | { readonly kind: "deleted"; readonly sessionId: string }
  | { readonly kind: "gc" };

export const S1 = sessionIdFor(1);
export const S2 = sessionIdFor(2);
export const TX_COUNT = 5;
/** A fault that hit the simulated recorder's own file write, not storage. */
export const RECORDER_FAILED = "recorder.write_failed";

/** A memory host over the given files, with native-speed hashing (test only). */
export function hostOver(files: HostPort["files"]): HostPort {
  const host = createMemoryHost({ files });
  const sha256 = async (bytes: Uint8Array) => sha256Hex(bytes);
  return { ...host, crypto: { ...host.crypto, sha256 } };
}

export async function openOver(files: HostPort["files"]): Promise<OpenedStorage> {
  const host = hostOver(files);
  return createStorage({ host, adapter: createFileAdapter({ files, crypto: host.crypto, root: "data" }) });
}

/**
 * The realistic workload of the crash and I/O-error loops: two sessions, 100
 * screenshots and 20 audio segments in bursts (some adopted from recorder
 * files, some duplicates, some shared between the sessions), transactions,
 * one session deleted, then garbage collection.
 */
export interface WorkloadOptions {
  /** Bursts of 10 screenshots and 2 audio segments (default 10: 100 screenshots, 20 segments). */
  readonly bursts?: number;
  /** Receives the opened storage (the I/O-error loop keeps using it after the fault clears). */
  readonly onOpen?: (storage: OpenedStorage) => void;
  /** Transactions to run (default {@link TX_COUNT}). */
  readonly transactions?: number;
  /** Leave storage open at the end. */
  readonly keepOpen?: boolean;
}

export async function runWorkload(files: FaultFiles, acks: Ack[], options: WorkloadOptions = {}): Promise<void> {
  const host = hostOver(files);
  const storage = await openOver(files);
  options.onOpen?.(storage);
  const sha = (bytes: Uint8Array) => sha256Hex(bytes);
  for (const id of [S1, S2]) {
    await storage.sessions.saveMetadata(newSessionMetadata(id));
    acks.push({ kind: "session", sessionId: id });
  }
  const next = new Map([[S1, 0], [S2, 0]]);
  const nextAudio = new Map([[S1, 0], [S2, 0]]);
  for (let burst = 0; burst < (options.bursts ?? 10); burst++) {
    // The recorder writes its files first (durably, as the host's writeAtomic does).
    for (let n = burst * 10; n < burst * 10 + 10; n += 1) {
      if (n % 4 !== 0) continue;
      await host.files.writeAtomic(`/capture/${n}.png`, utf8Encode(`screenshot-${n % 85}`)).catch((cause: unknown) => {
        throw Object.assign(new Error("the recorder could not write its file"), { code: RECORDER_FAILED, cause });
      });
    }
    const work: Promise<unknown>[] = [];
    for (let j = 0; j < 10; j++) {
      const n = burst * 10 + j;
      const sessionId = n % 3 === 2 ? S2 : S1;
      const sequenceNumber = next.get(sessionId)!;
      next.set(sessionId, sequenceNumber + 1);
      const bytes = utf8Encode(`screenshot-${n % 85}`); // repeats: dedup within and across sessions
      const info = { type: "screenshot", mimeType: "image/png" } as const;
      let saved: Promise<{ id: string }>;
      if (n % 4 === 0) {
        const path = `/capture/${n}.png`;
        saved = storage.attachments.registerExternalBlob({ path, sha256: sha(bytes), size: bytes.length, nativeHashed: n % 8 === 0 }, info, { sessionId });
      } else {
        // Some as capture does it: not waiting for the blob, whose durability the record's acknowledgement covers.
        saved = storage.attachments.saveAttachment(bytes, info, { sessionId, durable: n % 3 !== 0 });
      }
      work.push(
        saved
          .then((attachment) => storage.sessions.appendScreenshot(sessionId, screenshotOf(sequenceNumber, attachment.id)))
          .then(() => acks.push({ kind: "screenshot", sessionId, sequenceNumber })),
      );
    }
    for (let j = 0; j < 2; j++) {
      const sessionId = j === 0 ? S1 : S2;
      const sequenceNumber = nextAudio.get(sessionId)!;
      nextAudio.set(sessionId, sequenceNumber + 1);
      const bytes = utf8Encode(`audio-${burst}-${j}`);
      work.push(
        storage.attachments
          .saveAttachment(bytes, { type: "audio", mimeType: "audio/wav" }, { sessionId })
          .then((attachment) => storage.sessions.appendAudioSegment(sessionId, { sequenceNumber, attachmentId: attachment.id, startSessionMs: sequenceNumber * 30_000, durationMs: 30_000, sampleRate: 48_000, channels: 1 }))
          .then(() => acks.push({ kind: "audio", sessionId, sequenceNumber })),
      );
    }
    const settled = await Promise.allSettled(work);
    const failed = settled.find((result) => result.status === "rejected");
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  }
  // S1 ends: its read-optimized packs are built in the background from here on.
  await storage.sessions.updateMetadata(S1, (current) => ({ ...current, status: "completed", endedAt: current.startedAt + 500_000 }));
  acks.push({ kind: "session", sessionId: S1 });
  for (let n = 0; n < (options.transactions ?? TX_COUNT); n++) {
    await storage.store.transaction(async (tx) => {
      tx.putJson(`tx/${n}-a.json`, { n });
      tx.putJson(`tx/${n}-b.json`, { n });
      tx.putJson("tx/counter.json", { n });
    });
    acks.push({ kind: "tx", n });
  }
  acks.push({ kind: "deleting", sessionId: S2 });
  await storage.sessions.deleteSession(S2);
  acks.push({ kind: "deleted", sessionId: S2 });
  await storage.attachments.deleteOrphanedAttachments(host.clock.now() + 1);
  acks.push({ kind: "gc" });
  if (options.keepOpen !== true) await storage.close();
}

/** Checks the post-crash invariants; returns a list of violations (empty when all hold). */
export async function checkInvariants(storage: OpenedStorage, acks: readonly Ack[]): Promise<string[]> {
  const violations: string[] = [];
  const report = await storage.verify({ quarantine: false });
  for (const problem of report.problems) violations.push(`verify: ${problem.kind} ${problem.key} ${problem.message}`);
  const deleted = acks.some((ack) => ack.kind === "deleted");
  // A delete that started but was not acknowledged may or may not have happened, but wholly.
  const mayBeDeleted = (id: string) => id === S2 && acks.some((ack) => ack.kind === "deleting");
  const shots = new Map<string, Set<number>>();
  const audio = new Map<string, Set<number>>();
  for (const id of [S1, S2]) {
    const metadata = await storage.sessions.getMetadata(id).catch(() => undefined);
    if (metadata === undefined) continue;
    shots.set(id, new Set((await storage.sessions.getScreenshots(id)).map((s) => s.sequenceNumber)));
    audio.set(id, new Set((await storage.sessions.getAudioSegments(id)).map((s) => s.sequenceNumber)));
  }
  if (deleted && shots.has(S2)) violations.push("acknowledged delete of S2 not durable");
  if (!shots.has(S2) && (await storage.store.list(`screenshots/${S2}/`)).length > 0) violations.push("chunks of a deleted S2 remain");
  for (const ack of acks) {
    const gone = mayBeDeleted(ack.kind === "session" || ack.kind === "screenshot" || ack.kind === "audio" ? ack.sessionId : "") && !shots.has(S2);
    if (ack.kind === "session" && !gone && !shots.has(ack.sessionId)) violations.push(`acknowledged session ${ack.sessionId} missing`);
    if ((ack.kind === "screenshot" || ack.kind === "audio") && !gone) {
      const present = (ack.kind === "screenshot" ? shots : audio).get(ack.sessionId)?.has(ack.sequenceNumber) === true;
      if (!present) violations.push(`acknowledged ${ack.kind} ${ack.sessionId.slice(-2)}#${ack.sequenceNumber} missing`);
    }
  }
  const counter = (await storage.store.getJson("tx/counter.json", { parse: (v) => v as { n: number } }))?.n ?? -1;
  for (let n = 0; n < TX_COUNT; n++) {
    const a = (await storage.store.get(`tx/${n}-a.json`)) !== undefined;
    const b = (await storage.store.get(`tx/${n}-b.json`)) !== undefined;
    if (a !== b) violations.push(`transaction ${n} partly visible`);
    if (a !== n <= counter) violations.push(`transaction ${n} visible=${a} but counter is ${counter}`);
    if (acks.some((ack) => ack.kind === "tx" && ack.n === n) && !a) violations.push(`acknowledged transaction ${n} missing`);
  }
  return violations;
}
