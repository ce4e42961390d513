import type { Command } from "./command.ts";
import { storageOf } from "./export.ts";

export const repairCommand: Command = {
  name: "repair",
  summary: "Recompute attachment references, record lost chunks, rebuild the session index",
  usage: "stint repair [--json]",
  flags: {},
  async run(context) {
    const storage = storageOf(await context.openEngine());
    const report = await storage.repair();
    context.out.json(report);
    context.out.line(`Fixed ${report.refcountsFixed} reference count${report.refcountsFixed === 1 ? "" : "s"}, recorded ${report.lostChunksRecorded} lost chunk${report.lostChunksRecorded === 1 ? "" : "s"}, rebuilt the index.`);
    context.out.line(`Problems: ${report.problemsBefore} before, ${report.problemsAfter} after.`);
    return report.problemsAfter === 0 ? 0 : 1;
  },
};
