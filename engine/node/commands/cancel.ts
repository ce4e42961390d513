import { requirePositionals } from "../args.ts";
import { CommandFailure, type Command, type CommandContext } from "./command.ts";
import { describeJob, withIdleQueue } from "./enrichment-support.ts";

async function cancel(context: CommandContext): Promise<number> {
  const jobId = requirePositionals(context.args, ["jobId"])[0]!;
  return withIdleQueue(context.dataDir, context.env, async (queue) => {
    const job = queue.get(jobId) ?? queue.list().find((candidate) => candidate.id.startsWith(jobId));
    if (job === undefined) throw new CommandFailure(`no enrichment job ${jobId}`, "Run `stint queue` to see the jobs.");
    if (job.status === "active" && job.leaseExpiresAt !== undefined && job.leaseExpiresAt > Date.now()) {
      throw new CommandFailure(`job ${job.id} is running in another Stint process`, "Cancel it there (the review panel of `stint serve`), or stop that process first.");
    }
    const cancelled = await queue.cancel(job.id);
    context.out.json({ job: cancelled });
    context.out.line(cancelled.status === "cancelled" ? `Cancelled: ${describeJob(cancelled)}` : `Nothing to cancel: ${describeJob(cancelled)}`);
    return 0;
  });
}

export const cancelCommand: Command = {
  name: "cancel",
  summary: "Cancel an enrichment job",
  usage: "stint cancel <jobId> [--json]",
  flags: {},
  run: cancel,
};
