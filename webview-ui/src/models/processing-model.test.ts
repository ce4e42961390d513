import { describe, expect, it } from "vitest";
import { createTestApi } from "../testing/engine-api.ts";
import { createProcessingModel } from "./processing-model.ts";

const tick = () => new Promise((r) => setTimeout(r, 5));
const withEnrichment = (e: { method: string; id?: string }) => (e.method === "engine.capabilities" ? { v: 1, id: e.id, result: { methods: ["enrichment.enqueue", "enrichment.retry"] } } : undefined);

describe("processing model", () => {
  it("follows media and enrichment events to completion", async () => {
    const { api, engine } = await createTestApi({ intercept: withEnrichment });
    const model = createProcessingModel(api, "demo-budget", { pollMs: 60_000 });
    await tick();
    const status = () => Object.values(model.stages.value).map((s) => `${s.key}:${s.status}:${Math.round(s.progress * 100)}`);
    engine.context.emit("media.progress", { sessionId: "demo-budget", stage: "concat", progress: 0.25 });
    engine.context.emit("media.progress", { sessionId: "other", stage: "concat", progress: 0.5 });
    expect(status()).toEqual(["audio:running:50", "video:pending:0", "enrich:pending:0"]);
    engine.context.emit("media.progress", { sessionId: "demo-budget", stage: "merge", progress: 0.75 });
    expect(status()).toEqual(["audio:completed:100", "video:running:50", "enrich:pending:0"]);
    engine.context.emit("media.progress", { sessionId: "demo-budget", stage: "done", progress: 1 });
    expect(status()).toEqual(["audio:completed:100", "video:completed:100", "enrich:pending:0"]);
    engine.context.emit("enrichment.job.progress", { sessionId: "demo-budget", jobId: "j1", stage: "screenshots", progress: 0.4 });
    expect(status()).toEqual(["audio:completed:100", "video:completed:100", "enrich:running:40"]);
    expect(model.done.value).toBe(false);
    engine.context.emit("enrichment.job.completed", { sessionId: "demo-budget", jobId: "j1" });
    expect(model.done.value).toBe(true);
    model.dispose();
  });

  it("marks video skipped when media finished without a merge", async () => {
    const { api, engine } = await createTestApi({ intercept: withEnrichment });
    const model = createProcessingModel(api, "demo-budget", { pollMs: 60_000 });
    await tick();
    engine.context.emit("media.progress", { sessionId: "demo-budget", stage: "concat", progress: 0.5 });
    engine.context.emit("media.progress", { sessionId: "demo-budget", stage: "done", progress: 1, detail: "no video to merge" });
    expect(model.stages.value.audio.status).toBe("completed");
    expect(model.stages.value.video).toMatchObject({ status: "skipped", error: "no video to merge" });
    model.dispose();
  });

  it("shows a failure with its reason and retries the job", async () => {
    const { api, engine, sent } = await createTestApi({ intercept: (e) => withEnrichment(e) ?? (e.method === "enrichment.retry" ? { v: 1, id: e.id, result: { job: {} } } : undefined) });
    const model = createProcessingModel(api, "demo-budget", { pollMs: 60_000 });
    await tick();
    engine.context.emit("media.progress", { sessionId: "demo-budget", stage: "skipped", progress: 1, detail: "no audio or video to process" });
    engine.context.emit("enrichment.job.failed", { sessionId: "demo-budget", jobId: "j9", error: { code: "enrichment.budget_exceeded", message: "spend limit reached" } });
    expect(model.failed.value).toMatchObject({ key: "enrich", error: "spend limit reached" });
    expect(model.stages.value.video).toMatchObject({ status: "skipped", error: "no audio or video to process" });
    await model.retry();
    expect(sent.at(-1)).toMatchObject({ method: "enrichment.retry", params: { jobId: "j9" } });
    expect(model.stages.value.enrich.status).toBe("running");
    model.dispose();
  });

  it("says there is nothing to process when the engine has no enrichment", async () => {
    const { api } = await createTestApi();
    const model = createProcessingModel(api, "demo-budget", { pollMs: 60_000 });
    for (let i = 0; i < 100 && !model.noEnrichment.value; i++) await tick();
    expect(model.noEnrichment.value).toBe(true);
    expect(model.done.value).toBe(true);
    model.dispose();
  });
});
