/**
 * An import aimed at a session already here: a previous-app export carrying
 * the id of a stored session whose metadata is unreadable was merged into it,
 * and a retry deleted that session's screenshots. Now the id is a reported
 * collision, the export lands under a fresh id, and the retry changes nothing.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodePng } from "../../src/image/index.ts";
import { runCliIn } from "../cli-capture.ts";
import { importCommand } from "../commands/import.ts";
import { changes, createGround, losses, snapshot } from "./fixture.ts";

const shot = (shade: number) => encodePng({ width: 4, height: 3, data: new Uint8Array(48).fill(shade) });

describe("an import that names a stored session's id", () => {
  it("never merges into or replaces a session whose metadata is unreadable, on the first try or the retry", async () => {
    const ground = createGround("import-collision");
    try {
      const folder = join(ground.root, "meeting");
      mkdirSync(folder);
      writeFileSync(join(folder, "1.png"), shot(10));
      writeFileSync(join(folder, "2.png"), shot(200));
      const first = await runCliIn(ground.dataDir, [importCommand], ["import", folder, "--json"]);
      expect(first.code, first.err).toBe(0);
      const victim = String(first.last().sessionId);
      // The session's metadata becomes garbage on disk; its chunks and blobs are intact.
      writeFileSync(join(ground.dataDir, "sessions", "metadata", `${victim}.json`), new Uint8Array([0x7b, 0x00, 0xff, 0x13, 0x37]));
      const before = snapshot(ground.dataDir);
      expect([...before.keys()].filter((name) => name.startsWith(`screenshots/${victim}/`) || name.startsWith("attachments/blobs/")).length).toBeGreaterThanOrEqual(3);
      const outsideBefore = snapshot(ground.outside);

      const intruder = join(ground.root, "intruder.json");
      const screenshots = [{ id: "x1", timestamp: "2024-03-01T09:00:01.000Z", data: `data:image/png;base64,${Buffer.from(shot(99)).toString("base64")}` }];
      writeFileSync(intruder, JSON.stringify({ session: { id: victim, name: "INTRUDER", status: "completed", startTime: "2024-03-01T09:00:00.000Z", screenshots }, exportedAt: "2024-03-01T10:00:00.000Z", version: 1 }));
      const outcomes: string[] = [];
      let landedAs: string | undefined;
      for (const attempt of ["first", "retry"]) {
        const run = await runCliIn(ground.dataDir, [importCommand], ["import", "--taskerino", intruder, "--json"]);
        expect(run.code, `${attempt}: ${run.err}`).toBe(0);
        const [report] = (run.last() as { sessions: { outcome: string; sessionId: string; collision?: string }[] }).sessions;
        outcomes.push(report!.outcome);
        expect(report!.sessionId, attempt).not.toBe(victim);
        if (attempt === "first") {
          expect(report!.collision).toContain(`a session ${victim} already exists here`);
          landedAs = report!.sessionId;
        } else expect(report!.sessionId).toBe(landedAs);
        // Every byte stored before is still there: the victim's garbage metadata, chunks and blobs alike.
        expect(losses(before, snapshot(ground.dataDir), (name) => name === "sessions/metadata/index.json"), attempt).toEqual([]);
      }
      expect(outcomes).toEqual(["imported", "unchanged"]);
      expect(changes(outsideBefore, snapshot(ground.outside))).toEqual([]);
    } finally {
      ground.cleanup();
    }
  }, 120_000);
});
