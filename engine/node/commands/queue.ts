import type { Command, CommandContext } from "./command.ts";
import { describeJob, withIdleQueue } from "./enrichment-support.ts";

async function queue(context: CommandContext): Promise<number> {
  const { out } = context;
  return withIdleQueue(context.dataDir, context.env, async (jobs) => {
    const status = jobs.status();
    const list = jobs.list();
    out.json({ counts: status.counts, jobs: list });
    const { counts } = status;
    out.line(`${counts.active} active, ${counts.waiting} waiting, ${counts.delayed} delayed, ${counts.completed} completed, ${counts.failed} failed, ${counts.cancelled} cancelled`);
    for (const job of list.slice(0, 50)) out.line(describeJob(job));
    if (list.length > 50) out.line(`… and ${list.length - 50} more (use --json for all)`);
    return 0;
  });
}

export const queueCommand: Command = {
  name: "queue",
  summary: "List enrichment jobs and their state",
  usage: "stint queue [--json]",
  flags: {},
  run: queue,
};
