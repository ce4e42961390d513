import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SessionMetadata, SessionStatus } from "../domain/index.ts";
import { createMemoryHost, utf8Decode, utf8Encode } from "../host/index.ts";
import { createFileAdapter, createMemoryAdapter, createStorage, matchesFilter, type ListFilter } from "./index.ts";
import { newSessionMetadata, screenshotOf, sessionIdFor } from "./test-fixtures.ts";

const key = fc.constantFrom("jobs/a.json", "jobs/b.json", "jobs/c/d.json", "ledger/x.json", "markers/m.json");
const value = fc.string({ maxLength: 8 });
type Step = { kind: "put"; key: string; value: string } | { kind: "delete"; key: string } | { kind: "tx"; ops: ({ key: string; value: string } | { key: string; del: true })[]; abort: boolean };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("put" as const), key, value }),
  fc.record({ kind: fc.constant("delete" as const), key }),
  fc.record({
    kind: fc.constant("tx" as const),
    ops: fc.array(fc.oneof(fc.record({ key, value }), fc.record({ key, del: fc.constant(true as const) })), { maxLength: 4 }),
    abort: fc.boolean(),
  }),
);

describe("storage against a simple model (fast-check)", () => {
  it("puts, deletes and transactions (committed or aborted) match a map, before and after reopening", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), fc.boolean(), async (steps, onFiles) => {
        const host = createMemoryHost();
        const data = new Map<string, Uint8Array>();
        const open = () => (onFiles ? createFileAdapter({ files: host.files, crypto: host.crypto, root: "p" }) : createMemoryAdapter({ data }));
        const storage = await createStorage({ host, adapter: open() });
        const model = new Map<string, string>();
        const pending: Promise<unknown>[] = [];
        for (const s of steps) {
          if (s.kind === "put") {
            pending.push(storage.store.put(s.key, utf8Encode(s.value)));
            model.set(s.key, s.value);
          } else if (s.kind === "delete") {
            pending.push(storage.store.delete(s.key));
            model.delete(s.key);
          } else {
            const run = storage.store.transaction(async (tx) => {
              for (const op of s.ops) {
                if ("del" in op) tx.delete(op.key);
                else tx.put(op.key, utf8Encode(op.value));
              }
              if (s.abort) throw new Error("abort");
            });
            // A transaction takes effect when it commits, so the model applies it once it has.
            await run.catch(() => undefined);
            if (!s.abort) for (const op of s.ops) "del" in op ? model.delete(op.key) : model.set(op.key, op.value);
          }
        }
        await Promise.all(pending);
        const read = async (target: typeof storage) => {
          const out = new Map<string, string>();
          for (const k of await target.store.list("")) if (!k.startsWith("sessions/")) out.set(k, utf8Decode((await target.store.get(k))!));
          return out;
        };
        expect(await read(storage)).toEqual(model);
        await storage.close();
        expect(await read(await createStorage({ host, adapter: open() }))).toEqual(model);
      }),
      { numRuns: 120 },
    );
  });

  it("refcounts equal the sessions whose records use each attachment", async () => {
    type Op = { kind: "append"; session: number; content: number } | { kind: "delete"; session: number } | { kind: "video"; session: number; content: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant("append" as const), session: fc.nat(3), content: fc.nat(5) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), session: fc.nat(3) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("video" as const), session: fc.nat(3), content: fc.nat(5) }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const host = createMemoryHost();
        const storage = await createStorage({ host, adapter: createMemoryAdapter() });
        const model = new Map<number, Map<number, "chunk" | "video">>(); // session → content → why
        const ids = new Map<number, string>();
        const sequence = new Map<number, number>();
        for (const o of ops) {
          const sessionId = sessionIdFor(o.session);
          if (o.kind === "delete") {
            await storage.sessions.deleteSession(sessionId);
            model.delete(o.session);
            sequence.delete(o.session);
            continue;
          }
          if (!model.has(o.session)) {
            await storage.sessions.saveMetadata(newSessionMetadata(sessionId));
            model.set(o.session, new Map());
          }
          const attachment = await storage.attachments.saveAttachment(utf8Encode(`content-${o.content}`), { type: "screenshot", mimeType: "image/png" });
          ids.set(o.content, attachment.id);
          if (o.kind === "append") {
            const n = sequence.get(o.session) ?? 0;
            sequence.set(o.session, n + 1);
            await storage.sessions.appendScreenshot(sessionId, screenshotOf(n, attachment.id));
            model.get(o.session)!.set(o.content, "chunk");
          } else {
            await storage.sessions.saveVideo({ sessionId, segments: [{ sequenceNumber: 0, attachmentId: attachment.id, startSessionMs: 0, durationMs: 1 }], durationMs: 1, updatedAt: 0 });
            const uses = model.get(o.session)!;
            for (const [content, why] of [...uses]) if (why === "video") uses.delete(content);
            if (!uses.has(o.content)) uses.set(o.content, "video");
          }
        }
        for (const [content, id] of ids) {
          const expected = [...model].filter(([, uses]) => uses.has(content)).map(([session]) => sessionIdFor(session)).sort();
          const attachment = await storage.attachments.getAttachment(id);
          expect(attachment?.referencedBy).toEqual(expected);
          expect(attachment?.refCount).toBe(expected.length);
        }
        expect((await storage.verify()).problems).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it("list filters, order and paging match a plain filter over all sessions", async () => {
    const statuses: SessionStatus[] = ["active", "paused", "completed", "interrupted"];
    const session = fc.record({ startedAt: fc.integer({ min: 0, max: 50 }), status: fc.constantFrom(...statuses), tags: fc.subarray(["a", "b", "c"]), topicIds: fc.subarray(["t1", "t2"]) });
    const filter: fc.Arbitrary<ListFilter> = fc.record(
      {
        status: fc.constantFrom(...statuses),
        statuses: fc.subarray(statuses),
        startAfter: fc.integer({ min: -1, max: 51 }),
        startBefore: fc.integer({ min: -1, max: 51 }),
        tags: fc.subarray(["a", "b", "c"]),
        topicIds: fc.subarray(["t1", "t2"]),
        limit: fc.nat(8),
        offset: fc.nat(8),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(session, { maxLength: 20 }), filter, async (sessions, f) => {
        const storage = await createStorage({ host: createMemoryHost(), adapter: createMemoryAdapter() });
        const saved: SessionMetadata[] = await storage.sessions.saveMetadataMany(sessions.map((s, i) => newSessionMetadata(sessionIdFor(i), s)));
        const expected = saved.filter((m) => matchesModel(m, f)).sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? -1 : 1));
        const result = await storage.sessions.listMetadata(f);
        expect(result.total).toBe(expected.length);
        const offset = f.offset ?? 0;
        expect(result.sessions.map((m) => m.id)).toEqual(expected.slice(offset, f.limit === undefined ? undefined : offset + f.limit).map((m) => m.id));
        expect(saved.every((m) => matchesFilter(m, f) === matchesModel(m, f))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

/** The filter semantics written out independently of the implementation. */
function matchesModel(m: SessionMetadata, f: ListFilter): boolean {
  return (
    (f.status === undefined || m.status === f.status) &&
    (f.statuses === undefined || f.statuses.some((s) => s === m.status)) &&
    (f.startAfter === undefined || m.startedAt > f.startAfter) &&
    (f.startBefore === undefined || m.startedAt < f.startBefore) &&
    (f.tags === undefined || f.tags.filter((t) => !m.tags.includes(t)).length === 0) &&
    (f.topicIds === undefined || f.topicIds.length === 0 || m.topicIds.some((t) => f.topicIds!.includes(t)))
  );
}
