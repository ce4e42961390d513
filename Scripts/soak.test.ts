import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error -- plain ES module without type declarations
import { checkLedger } from "./soak.mjs";

type Problem = { text: string; jobId?: string };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function ledger(entries: { stepId: string; serial: number }[], calls = entries.length) {
  const dataDir = mkdtempSync(join(tmpdir(), "stint-soak-ledger-"));
  dirs.push(dataDir);
  const dir = join(dataDir, "ledger", "2026-11", "entries");
  mkdirSync(dir, { recursive: true });
  for (const { stepId, serial } of entries) {
    const id = `job1.${stepId}.0`;
    writeFileSync(join(dir, `${id}.json`), JSON.stringify({ id, jobId: "job1", sessionId: "s", stepId, usage: { provider: "anthropic", outputTokens: serial } }));
  }
  writeFileSync(join(dataDir, "ledger", "2026-11", "total.json"), JSON.stringify({ month: "2026-11", totalUsd: 0, calls }));
  return dataDir;
}

const answered = (n: number) => Array.from({ length: n }, (_, i) => ({ serial: i + 1 }));

describe("the soak's no-repeated-step check", () => {
  it("passes a consistent ledger, then flags a completed step that ran again and was recorded twice", () => {
    const state = { entries: new Map() };
    const first = ledger([{ stepId: "chapters", serial: 1 }, { stepId: "summary", serial: 2 }]);
    expect((checkLedger(first, state, answered(2)) as { problems: Problem[] }).problems).toEqual([]);
    // The same step committed again from a later call: the entry changes and the running total counts one more.
    const again = ledger([{ stepId: "chapters", serial: 3 }, { stepId: "summary", serial: 2 }], 3);
    const texts = (checkLedger(again, state, answered(3)) as { problems: Problem[] }).problems.map((p) => p.text);
    expect(texts).toEqual(expect.arrayContaining([expect.stringContaining("step chapters of job job1 ran again after it completed (call #1, then #3)"), expect.stringContaining("counts 3 provider calls for 2 ledger entries")]));
    // Reported once: the next check over the same store finds nothing new.
    expect((checkLedger(again, state, answered(3)) as { problems: Problem[] }).problems).toEqual([]);
  });

  it("flags entries naming calls the provider never answered, or the same call twice", () => {
    const texts = (checkLedger(ledger([{ stepId: "a", serial: 5 }, { stepId: "b", serial: 1 }, { stepId: "c", serial: 1 }]), { entries: new Map() }, answered(2)) as { problems: Problem[] }).problems.map((p) => p.text);
    expect(texts).toEqual(expect.arrayContaining([expect.stringContaining("names call #5, which the provider never answered"), expect.stringContaining("both claim call #1")]));
  });
});
