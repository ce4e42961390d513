import type { SearchFeature } from "../../src/search/index.ts";
import type { Command } from "./command.ts";
import { storageOf } from "./export.ts";
import { problemLine } from "./storage-commands.ts";

export const verifyCommand: Command = {
  name: "verify",
  summary: "Check chunk checksums, blob hashes, refcounts and the index; quarantine what is corrupt (exit 1 on problems)",
  usage: "stint verify [--no-blobs] [--json]",
  flags: { blobs: { type: "boolean", description: "re-hash every attachment blob (default on; --no-blobs skips it)" } },
  async run(context) {
    const engine = await context.openEngine();
    const storage = storageOf(engine);
    context.out.progress({ stage: "verify", fraction: 0, detail: "reading chunks and attachments" });
    const report = await storage.verify({ blobs: context.args.flags.blobs !== false });
    const search = engine.context.features.get("search") as SearchFeature | undefined;
    const searchReport = await search?.verify();
    const searchProblems = searchReport === undefined ? [] : [...searchReport.missing.map((id) => `search index: session ${id} is not indexed`), ...searchReport.stale.map((id) => `search index: session ${id} differs from its records`), ...searchReport.orphaned.map((id) => `search index: deleted session ${id} is still indexed`), ...searchReport.damagedRuns.map((id) => `search index: run ${id} is missing or unreadable`)];
    context.out.progress({ stage: "verify", fraction: 1 });
    context.out.endProgress();
    context.out.json(searchReport === undefined ? report : { ...report, ok: report.ok && searchReport.ok, search: searchReport });
    context.out.line(`Checked ${report.sessions} sessions, ${report.chunks} chunks, ${report.attachments} attachments.`);
    if (report.orphans.length > 0) context.out.line(`${report.orphans.length} blob${report.orphans.length === 1 ? " is" : "s are"} used by no session; \`stint gc\` removes ${report.orphans.length === 1 ? "it" : "them"}.`);
    if (report.ok && searchProblems.length === 0) {
      context.out.line("No problems found.");
      return 0;
    }
    const count = report.problems.length + searchProblems.length;
    context.out.line(`${count} problem${count === 1 ? "" : "s"}:`);
    for (const problem of report.problems) context.out.line(`  ${problemLine(problem)}`);
    for (const line of searchProblems) context.out.line(`  ${line}`);
    context.out.line("Run `stint repair` to recompute references and rebuild the index; quarantined files stay in quarantine/.");
    return 1;
  },
};
