import { describe, expect, it } from "vitest";
import { createEngine } from "../engine/index.ts";
import { createEnrichmentFeature } from "../enrichment/index.ts";
import { createMemoryFiles, createMemoryHost } from "../host/index.ts";
import type { SessionMetadata } from "../domain/index.ts";
import { sessionsPastRetention } from "./retention.ts";
import { createStorageFeature, type StorageFeature } from "./index.ts";

const DAY = 24 * 3_600_000;
const NOW = 1_767_225_600_000;
const meta = (id: string, status: SessionMetadata["status"], endedDaysAgo: number | undefined) =>
  ({ schemaVersion: 2, id, name: id.slice(-4), status, startedAt: NOW - 50 * DAY, activeDurationMs: 1000, ...(endedDaysAgo === undefined ? {} : { endedAt: NOW - endedDaysAgo * DAY }) }) as const;

const OLD = "00000000-0000-4000-8000-0000000000a1";
const OLD_INTERRUPTED = "00000000-0000-4000-8000-0000000000a2";
const RECENT = "00000000-0000-4000-8000-0000000000a3";
const ACTIVE = "00000000-0000-4000-8000-0000000000a4";

describe("retention", () => {
  it("selects only finished sessions that ended before the cutoff", () => {
    const list = [meta(OLD, "completed", 40), meta(OLD_INTERRUPTED, "interrupted", 31), meta(RECENT, "completed", 2), meta(ACTIVE, "active", undefined)] as unknown as SessionMetadata[];
    expect(sessionsPastRetention(list, NOW, 30).map((s) => s.id)).toEqual([OLD, OLD_INTERRUPTED]);
    expect(sessionsPastRetention(list, NOW, 60)).toEqual([]);
  });

  it("settings.update with retentionDays deletes old finished sessions in a background engine only", async () => {
    const files = createMemoryFiles();
    const open = async (background: boolean) => {
      const host = createMemoryHost({ files });
      await host.time!.advance(NOW - host.clock.now());
      const engine = await createEngine(host, [createStorageFeature(), createEnrichmentFeature({ autoEnqueue: false })], { background });
      return { engine, storage: engine.context.features.get("storage") as StorageFeature };
    };
    const setup = await open(false);
    for (const m of [meta(OLD, "completed", 40), meta(OLD_INTERRUPTED, "interrupted", 31), meta(RECENT, "completed", 2), meta(ACTIVE, "active", undefined)]) {
      await setup.storage.sessions.saveMetadata(m as never);
    }
    // A short command stores the setting but deletes nothing.
    const reply = (await setup.engine.handle({ v: 1, id: 1, method: "settings.update", params: { retentionDays: 30 } })) as { result: { retentionDays: number } };
    expect(reply.result.retentionDays).toBe(30);
    expect((await setup.storage.sessions.listMetadata()).total).toBe(4);
    await setup.engine.stop();

    // The next long-lived engine applies it at start.
    const app = await open(true);
    const left = (await app.storage.sessions.listMetadata()).sessions.map((s) => s.id).sort();
    expect(left).toEqual([RECENT, ACTIVE].sort());
    expect(await app.storage.sessions.getMetadata(OLD)).toBeUndefined();
    expect((await app.engine.handle({ v: 1, id: 2, method: "settings.update", params: { retentionDays: 0 } })) as object).toMatchObject({ error: { code: "bridge.invalid_params" } });
    await app.engine.stop();
  });
});
