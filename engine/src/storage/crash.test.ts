import { describe, expect, it } from "vitest";
import { createFaultFiles, type FaultOp } from "../testing/fault-files.ts";
import { diskAfterCrash, fingerprint, type PersistenceMode } from "../testing/fault-files-model.ts";
import { checkInvariants, openOver, runWorkload, type Ack } from "./crash-workload.ts";

/** Each crash point is built under one persistence mode, rotating, so every mode meets every phase of the workload. */
const modeFor = (k: number): PersistenceMode => {
  switch (k % 5) {
    case 0:
      return { kind: "drop" };
    case 1:
      return { kind: "keep" };
    case 2:
      return { kind: "torn", zeroFill: true };
    case 3:
      return { kind: "torn", zeroFill: false };
    default:
      return { kind: "random", seed: k * 7919 + 1 };
  }
};

/** Every how many operation indexes the workload is re-run with a real injected crash. */
const INJECTION_STRIDE = 37;

describe("crash at every file-system operation", () => {
  it("recovers to a consistent store that holds every acknowledged write", async () => {
    // One observed run: before each operation k, note which writes were acknowledged.
    // A crash at k leaves exactly the operations before k, so (log prefix, acks) is that crash state.
    const acks: Ack[] = [];
    const acked: number[] = [];
    const observed = createFaultFiles({}, { beforeStep: (index) => void (acked[index] = acks.length) });
    await runWorkload(observed, acks);
    const total = observed.opCount;
    expect(acks.some((ack) => ack.kind === "gc")).toBe(true);

    // Real crashes injected along the way: each must strike, and leave the same operations as the observed run.
    let injected = 0;
    let hit = 0;
    const failures: string[] = [];
    for (let k = 0; k < total; k += INJECTION_STRIDE) {
      injected++;
      const files = createFaultFiles({}, { crashAt: k });
      const runAcks: Ack[] = [];
      await runWorkload(files, runAcks).catch(() => undefined);
      if (files.hits.crash === k && files.crashed) hit++;
      if (!samePrefix(files.log, observed.log, k)) failures.push(`crash at ${k}: operations differ from the observed run`);
      if (runAcks.length < acked[k]!) failures.push(`crash at ${k}: fewer acknowledgements than observed`);
      const disk = diskAfterCrash(files.log, modeFor(k));
      const storage = await openOver(createFaultFiles(disk));
      const violations = await checkInvariants(storage, runAcks);
      if (violations.length > 0) failures.push(`injected k=${k}: ${violations.slice(0, 3).join("; ")}`);
    }

    let states = 0;
    let reopenedStates = 0;
    const seen = new Set<string>();
    const counts = { drop: 0, keep: 0, torn: 0, random: 0 };
    for (let k = 0; k <= total && failures.length < 5; k++) {
      const mode = modeFor(k);
      const disk = diskAfterCrash(observed.log.slice(0, k), mode);
      const print = fingerprint(disk);
      if (seen.has(print)) continue;
      seen.add(print);
      states++;
      counts[mode.kind]++;
      const recovered = createFaultFiles(disk);
      const storage = await openOver(recovered);
      const expected = acks.slice(0, acked[k] ?? acks.length);
      const violations = await checkInvariants(storage, expected);
      if (violations.length > 0) failures.push(`k=${k} ${mode.kind}: ${violations.slice(0, 3).join("; ")}`);
      // Recovery must be repeatable: reopening the recovered disk (as after a second crash during the
      // first recovery's aftermath) still holds every acknowledged write, and recovers nothing twice.
      if (k % 50 === 0) {
        await storage.close();
        const once = recovered.snapshot();
        const reopened = createFaultFiles(once);
        const again = await openOver(reopened);
        const againViolations = await checkInvariants(again, expected);
        if (againViolations.length > 0) failures.push(`k=${k} ${mode.kind} reopened: ${againViolations.slice(0, 3).join("; ")}`);
        await again.close();
        if (fingerprint(reopened.snapshot()) !== fingerprint(once)) failures.push(`k=${k} ${mode.kind}: a second recovery changed the disk`);
        reopenedStates++;
      }
    }
    console.log(
      `crash loop: ${total} operation indexes, ${states} distinct crash states checked, ${reopenedStates} reopened twice (drop ${counts.drop}, keep ${counts.keep}, torn ${counts.torn}, random ${counts.random}); ${hit}/${injected} injected crashes hit`,
    );
    expect(failures).toEqual([]);
    expect(hit).toBe(injected);
    expect(states).toBeGreaterThanOrEqual(500);
    expect(reopenedStates).toBeGreaterThan(0);
  }, 600_000);
});

function samePrefix(a: readonly FaultOp[], b: readonly FaultOp[], length: number): boolean {
  if (a.length < length || b.length < length) return false;
  for (let i = 0; i < length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.type !== y.type || JSON.stringify({ ...x, bytes: undefined }) !== JSON.stringify({ ...y, bytes: undefined })) return false;
  }
  return true;
}
