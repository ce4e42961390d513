import { describe, expect, it } from "vitest";
import { utf8Encode } from "../host/index.ts";
import { createFaultFiles, type FaultPlan } from "../testing/fault-files.ts";
import { checkInvariants, openOver, RECORDER_FAILED, runWorkload, S1, type Ack } from "./crash-workload.ts";
import type { OpenedStorage } from "./index.ts";
import { screenshotOf } from "./test-fixtures.ts";

const EXPECTED = { EIO: "storage.io", ENOSPC: "storage.disk_full", EACCES: "storage.permission_denied" } as const;
const BURSTS = 1;

interface Outcome {
  readonly error: { code?: string } | undefined;
  readonly acks: Ack[];
  readonly storage: OpenedStorage | undefined;
}

async function runWith(plan: FaultPlan): Promise<Outcome & { files: ReturnType<typeof createFaultFiles> }> {
  const files = createFaultFiles({}, plan);
  const acks: Ack[] = [];
  let storage: OpenedStorage | undefined;
  const error = await runWorkload(files, acks, { bursts: BURSTS, transactions: 2, keepOpen: true, onOpen: (opened) => void (storage = opened) }).then(
    () => undefined,
    (caught: { code?: string }) => caught,
  );
  return { files, error, acks, storage };
}

/** After the fault clears: the same storage works again, and a reopened one holds every acknowledged write and nothing half-written. */
async function afterRecovery(outcome: Outcome, files: ReturnType<typeof createFaultFiles>): Promise<string[]> {
  const problems: string[] = [];
  if (outcome.storage !== undefined) {
    try {
      await outcome.storage.store.putJson("after/fault.json", { ok: true });
      const metadata = await outcome.storage.sessions.getMetadata(S1).catch(() => undefined);
      if (metadata !== undefined) {
        const attachment = await outcome.storage.attachments.saveAttachment(utf8Encode("after the fault"), { type: "screenshot", mimeType: "image/png" });
        await outcome.storage.sessions.appendScreenshot(S1, screenshotOf(10_000, attachment.id));
      }
    } catch (error) {
      problems.push(`store still failing after the fault cleared: ${(error as Error).message}`);
    }
  }
  const reopened = await openOver(files);
  problems.push(...(await checkInvariants(reopened, outcome.acks)));
  if (outcome.storage !== undefined && (await reopened.store.get("after/fault.json")) === undefined) problems.push("write after the fault was lost");
  return problems;
}

describe("I/O errors at every operation", () => {
  it("reach the caller with the right code, publish nothing half-written, and the store works again", async () => {
    const clean = await runWith({});
    expect(clean.error).toBeUndefined();
    const total = clean.files.opCount;
    const failures: string[] = [];
    let runs = 0;
    let hits = 0;
    for (const code of ["EIO", "ENOSPC", "EACCES"] as const) {
      for (const persistent of [false, true]) {
        for (let at = 0; at < total && failures.length < 5; at++) {
          const plan: FaultPlan = { io: { at, code, persistent } };
          const outcome = await runWith(plan);
          runs++;
          if (outcome.files.hits.io.includes(at)) hits++;
          else failures.push(`${code}${persistent ? "*" : ""}@${at}: fault not hit`);
          // Some operations are best effort (cleaning up a recorder file that was already adopted): the run may then succeed.
          if (outcome.error !== undefined && outcome.error.code !== EXPECTED[code] && outcome.error.code !== RECORDER_FAILED) failures.push(`${code}${persistent ? "*" : ""}@${at}: caller saw ${outcome.error.code}`);
          if (persistent && outcome.error === undefined && outcome.files.hits.io.length > 1) failures.push(`${code}*@${at}: persistent fault swallowed`);
          plan.io = undefined; // space returns, the disk heals
          const problems = await afterRecovery(outcome, outcome.files);
          if (problems.length > 0) failures.push(`${code}${persistent ? "*" : ""}@${at}: ${problems.slice(0, 3).join("; ")}`);
        }
      }
    }
    // A write that stores fewer bytes while flush and rename report success: verification must catch it.
    let shortWrites = 0;
    for (let at = 0; at < total && failures.length < 5; at++) {
      if (clean.files.log[at]?.type !== "write") continue;
      const plan: FaultPlan = { shortWriteAt: at };
      const outcome = await runWith(plan);
      runs++;
      if (outcome.files.hits.shortWrite !== at) {
        failures.push(`short write @${at}: not hit`);
        continue;
      }
      shortWrites++;
      if (outcome.error?.code !== "storage.io" && outcome.error?.code !== RECORDER_FAILED) failures.push(`short write @${at}: caller saw ${outcome.error?.code ?? "success"}`);
      const problems = await afterRecovery(outcome, outcome.files);
      if (problems.length > 0) failures.push(`short write @${at}: ${problems.slice(0, 3).join("; ")}`);
    }
    console.log(`I/O-error loop: ${total} operation indexes × EIO/ENOSPC/EACCES × once/persistent = ${hits} faults hit; ${shortWrites} silent short writes caught; ${runs} runs`);
    expect(failures).toEqual([]);
    expect(hits).toBe(total * 6);
    expect(shortWrites).toBeGreaterThan(50);
  }, 600_000);
});
