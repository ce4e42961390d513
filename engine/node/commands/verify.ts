import type { Command } from "./command.ts";
import { storageOf } from "./export.ts";
import { problemLine } from "./storage-commands.ts";

export const verifyCommand: Command = {
  name: "verify",
  summary: "Check chunk checksums, blob hashes, refcounts and the index; quarantine what is corrupt (exit 1 on problems)",
  usage: "stint verify [--no-blobs] [--json]",
  flags: { blobs: { type: "boolean", description: "re-hash every attachment blob (default on; --no-blobs skips it)" } },
  async run(context) {
    const storage = storageOf(await context.openEngine());
    context.out.progress({ stage: "verify", fraction: 0, detail: "reading chunks and attachments" });
    const report = await storage.verify({ blobs: context.args.flags.blobs !== false });
    context.out.progress({ stage: "verify", fraction: 1 });
    context.out.endProgress();
    context.out.json(report);
    context.out.line(`Checked ${report.sessions} sessions, ${report.chunks} chunks, ${report.attachments} attachments.`);
    if (report.ok) {
      context.out.line("No problems found.");
      return 0;
    }
    context.out.line(`${report.problems.length} problem${report.problems.length === 1 ? "" : "s"}:`);
    for (const problem of report.problems) context.out.line(`  ${problemLine(problem)}`);
    context.out.line("Run `stint repair` to recompute references and rebuild the index; quarantined files stay in quarantine/.");
    return 1;
  },
};
