import { describe, expect, it } from "vitest";
import { createEngine } from "../engine/index.ts";
import { createMemoryHost } from "../host/index.ts";
import { formatOffset, frameAtTime, indexAtTime, resolveEvidence, slideshowFrames, sortTimeline } from "./timeline.ts";
import { createReviewFeatureFactory, filterSessions, type SessionDetail, type SessionRow } from "./index.ts";

async function engineWithDemo() {
  const host = createMemoryHost();
  return createEngine(host, [createReviewFeatureFactory({ demo: true })]);
}

describe("review feature over the demo library", () => {
  it("lists newest first and filters by text, tag and status", async () => {
    const engine = await engineWithDemo();
    const all = (await engine.handle({ v: 1, id: 1, method: "review.list", params: {} })) as { result: { sessions: SessionRow[]; library: string } };
    expect(all.result.library).toBe("demo");
    const times = all.result.sessions.map((s) => s.startedAt);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const tagged = (await engine.handle({ v: 1, id: 2, method: "review.list", params: { query: { text: "#meeting" } } })) as { result: { sessions: SessionRow[] } };
    expect(tagged.result.sessions.map((s) => s.id).sort()).toEqual(["demo-design", "demo-standup"]);
    const interrupted = (await engine.handle({ v: 1, id: 3, method: "review.list", params: { query: { statuses: ["interrupted"] } } })) as { result: { sessions: SessionRow[] } };
    expect(interrupted.result.sessions.map((s) => s.id)).toEqual(["demo-crash"]);
  });

  it("returns a sorted timeline whose evidence resolves, and exports Markdown", async () => {
    const engine = await engineWithDemo();
    const reply = (await engine.handle({ v: 1, id: 1, method: "review.session", params: { id: "demo-parser" } })) as { result: SessionDetail };
    const detail = reply.result;
    const ts = detail.timeline.map((item) => item.t);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    for (const point of [...(detail.summary?.points ?? []), ...detail.tasks, ...detail.notes]) {
      const target = resolveEvidence(detail.timeline, point.evidence[0]!);
      const item = detail.timeline[target.index];
      expect(item?.kind === "screenshot" ? item.ref : undefined).toBe(point.evidence[0]!.ref);
    }
    const exported = (await engine.handle({ v: 1, id: 2, method: "review.export", params: { id: "demo-parser", format: "md" } })) as { result: { text: string; fileName: string } };
    expect(exported.result.fileName).toBe("Parser-refactor.md");
    expect(exported.result.text).toContain("## Tasks");
    expect(exported.result.text).toMatch(/Follow up on the open review comments \(at \d+:\d\d\)/);
  });

  it("pages a long timeline: the first items with the detail, the rest by offset", async () => {
    const engine = await engineWithDemo();
    const head = (await engine.handle({ v: 1, id: 1, method: "review.session", params: { id: "demo-long-day", timelineLimit: 100 } })) as { result: SessionDetail };
    const total = head.result.timelineTotal!;
    expect(head.result.timeline).toHaveLength(100);
    expect(total).toBeGreaterThan(7000);
    const tail = (await engine.handle({ v: 1, id: 2, method: "review.timeline", params: { id: "demo-long-day", offset: 100, limit: 20_000 } })) as { result: { items: unknown[]; total: number } };
    expect(tail.result.items).toHaveLength(total - 100);
    const whole = (await engine.handle({ v: 1, id: 3, method: "review.session", params: { id: "demo-long-day" } })) as { result: SessionDetail };
    expect([...head.result.timeline, ...tail.result.items]).toEqual(whole.result.timeline);
    expect(await engine.handle({ v: 1, id: 4, method: "review.timeline", params: { id: "demo-long-day", offset: 0, limit: 0 } })).toMatchObject({ error: { code: "bridge.invalid_params" } });
  });

  it("reports a missing session and bad ids as typed errors", async () => {
    const engine = await engineWithDemo();
    expect(await engine.handle({ v: 1, id: 1, method: "review.session", params: { id: "nope" } })).toMatchObject({ error: { code: "review.not_found" } });
    expect(await engine.handle({ v: 1, id: 2, method: "review.session", params: { id: "../etc" } })).toMatchObject({ error: { code: "bridge.invalid_params" } });
  });

  it("is empty without storage until the demo is switched on", async () => {
    const engine = await createEngine(createMemoryHost(), [createReviewFeatureFactory()]);
    expect(await engine.handle({ v: 1, id: 1, method: "review.list", params: {} })).toMatchObject({ result: { library: "none", sessions: [] } });
    expect(await engine.handle({ v: 1, id: 2, method: "review.useDemo", params: {} })).toMatchObject({ result: { library: "demo" } });
    const list = (await engine.handle({ v: 1, id: 3, method: "review.list", params: {} })) as { result: { sessions: unknown[] } };
    expect(list.result.sessions.length).toBeGreaterThan(3);
  });
});

describe("timeline helpers", () => {
  const items = sortTimeline([
    { kind: "transcript", id: "t1", t: 1000, tEnd: 2000, text: "a" },
    { kind: "screenshot", id: "s0", t: 0 },
    { kind: "chapter", id: "c0", t: 0, tEnd: 5000, title: "x" },
    { kind: "screenshot", id: "s1", t: 5000 },
  ]);
  it("orders chapters first at equal times and finds items by time", () => {
    expect(items.map((i) => i.id)).toEqual(["c0", "s0", "t1", "s1"]);
    expect(indexAtTime(items, 4999)).toBe(2);
    expect(indexAtTime(items, -1)).toBe(0);
    expect(indexAtTime([], 5)).toBe(-1);
    expect(frameAtTime(slideshowFrames(items), 7000)?.id).toBe("s1");
    expect(resolveEvidence(items, { tStart: 1200, tEnd: 1300, kind: "audio", ref: "unknown" }).index).toBe(2);
    expect(formatOffset(3_725_000)).toBe("1:02:05");
    expect(formatOffset(65_000)).toBe("1:05");
  });
  it("filters by date range", () => {
    const row = (id: string, startedAt: number) => ({ id, name: id, status: "completed" as const, startedAt, durationMs: 1, sizeBytes: 0, tags: [], enrichment: { state: "none" as const, totalCostUsd: 0 }, screenshotCount: 0, audioSegmentCount: 0 });
    expect(filterSessions([row("a", 10), row("b", 20), row("c", 30)], { from: 15, to: 30 }).map((r) => r.id)).toEqual(["c", "b"]);
  });
});
