import type { SearchFeature } from "../../src/search/index.ts";
import type { Command } from "./command.ts";
import { storageOf } from "./export.ts";

export const repairCommand: Command = {
  name: "repair",
  summary: "Recompute attachment references, record lost chunks, rebuild the session index",
  usage: "stint repair [--json]",
  flags: {},
  async run(context) {
    const engine = await context.openEngine();
    const storage = storageOf(engine);
    const report = await storage.repair();
    const search = await (engine.context.features.get("search") as SearchFeature | undefined)?.repair();
    context.out.json(search === undefined ? report : { ...report, search });
    context.out.line(`Fixed ${report.refcountsFixed} reference count${report.refcountsFixed === 1 ? "" : "s"}, recorded ${report.lostChunksRecorded} lost chunk${report.lostChunksRecorded === 1 ? "" : "s"}, rebuilt the index${search === undefined ? "" : ` and the search index (${search.sessions} sessions)`}.`);
    context.out.line(`Problems: ${report.problemsBefore} before, ${report.problemsAfter} after.`);
    return report.problemsAfter === 0 ? 0 : 1;
  },
};
