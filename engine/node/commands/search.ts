import { stringFlag } from "../args.ts";
import { UsageError, type Command } from "./command.ts";
import { hitLine, searchSessions } from "./search-support.ts";

export const searchCommand: Command = {
  name: "search",
  summary: "Find a word said or shown in any session (transcripts, screen text, summaries, tasks, notes, names, tags)",
  usage: 'stint search "<query>" [--limit N] [--json]   (words, prefix*, "phrases", app:, tag: or #tag, kind:, before:/after: YYYY-MM-DD)',
  flags: { limit: { type: "string", description: "at most this many hits (default 20)", short: "n" } },
  async run(context) {
    const query = context.args.positionals.join(" ").trim();
    if (query === "") throw new UsageError("what to search for is missing");
    const limitText = stringFlag(context.args, "limit") ?? "20";
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 500) throw new UsageError(`--limit must be a number from 1 to 500, not "${limitText}"`);
    const engine = await context.openEngine();
    const result = await searchSessions(engine, query, Number(limitText));
    context.out.json(result);
    if (result.hits.length === 0) context.out.line("No matches.");
    for (const hit of result.hits) context.out.line(hitLine(hit));
    if (result.total > result.hits.length) context.out.line(`… ${result.total - result.hits.length} more matches (use --limit)`);
    return 0;
  },
};
