import type { SearchFeature } from "../../src/search/index.ts";
import type { Command } from "./command.ts";
import { storageOf } from "./export.ts";

export const repairCommand: Command = {
  name: "repair",
  summary: "Restore sessions and chunks from their redundant copies, recompute attachment references, record lost chunks, rebuild the session index",
  usage: "stint repair [--json]",
  flags: {},
  async run(context) {
    const engine = await context.openEngine();
    const storage = storageOf(engine);
    const report = await storage.repair();
    const search = await (engine.context.features.get("search") as SearchFeature | undefined)?.repair();
    context.out.json(search === undefined ? report : { ...report, search });
    if (report.sessionsRestored + report.chunksRestored > 0) context.out.line(`Restored ${report.sessionsRestored} session${report.sessionsRestored === 1 ? "" : "s"} and ${report.chunksRestored} chunk${report.chunksRestored === 1 ? "" : "s"} from their copies.`);
    context.out.line(`Fixed ${report.refcountsFixed} reference count${report.refcountsFixed === 1 ? "" : "s"}, recorded ${report.lostChunksRecorded} lost chunk${report.lostChunksRecorded === 1 ? "" : "s"}, rebuilt the index${search === undefined ? "" : ` and the search index (${search.sessions} sessions)`}.`);
    context.out.line(`Problems: ${report.problemsBefore} before, ${report.problemsAfter} after.`);
    if (report.orphanBlobs > 0) context.out.line(`${report.orphanBlobs} blob${report.orphanBlobs === 1 ? " is" : "s are"} used by no session; \`stint gc\` removes ${report.orphanBlobs === 1 ? "it" : "them"}.`);
    return report.problemsAfter === 0 ? 0 : 1;
  },
};
