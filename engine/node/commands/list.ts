import { SessionStatusSchema, type SessionStatus } from "../../src/domain/index.ts";
import { listSessions } from "../../src/storage/index.ts";
import { parseDuration, stringFlag } from "../args.ts";
import { UsageError, type Command } from "./command.ts";
import { storageOf } from "./export.ts";
import { sessionLine } from "./storage-commands.ts";

export const listCommand: Command = {
  name: "list",
  summary: "List sessions, newest first",
  usage: "stint list [--status S[,S]] [--tag T[,T]] [--since 7d|DATE] [--limit N] [--json]",
  flags: {
    status: { type: "string", description: "only these statuses: active, paused, completed, interrupted (comma-separated)" },
    tag: { type: "string", description: "only sessions carrying all these tags (comma-separated)" },
    since: { type: "string", description: "only sessions started after a date (2026-11-01) or within a duration (7d, 12h)" },
    limit: { type: "string", description: "at most this many (default 50)", short: "n" },
  },
  async run(context) {
    const statuses = stringFlag(context.args, "status")
      ?.split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    for (const status of statuses ?? []) if (!SessionStatusSchema.safeParse(status).success) throw new UsageError(`--status: unknown status "${status}"`);
    const tags = stringFlag(context.args, "tag")
      ?.split(",")
      .map((t) => t.trim())
      .filter((t) => t !== "");
    const limitText = stringFlag(context.args, "limit") ?? "50";
    if (!/^\d+$/.test(limitText)) throw new UsageError(`--limit must be a number, not "${limitText}"`);
    if (context.args.positionals.length > 0) throw new UsageError(`unexpected argument "${context.args.positionals[0]}"`);
    const engine = await context.openEngine({ tools: false });
    const since = stringFlag(context.args, "since");
    let startAfter: number | undefined;
    if (since !== undefined) {
      const date = Date.parse(since);
      if (Number.isFinite(date) && /^\d{4}-\d{2}-\d{2}/.test(since)) startAfter = date;
      else {
        const days = /^(\d+)d$/.exec(since);
        startAfter = engine.context.host.clock.now() - (days !== null ? Number(days[1]) * 86_400_000 : parseDuration(since, "since"));
      }
    }
    const result = await listSessions(storageOf(engine), {
      ...(statuses === undefined ? {} : { statuses: statuses as SessionStatus[] }),
      ...(tags === undefined ? {} : { tags }),
      ...(startAfter === undefined ? {} : { startAfter }),
      limit: Number(limitText),
    });
    context.out.json({ sessions: result.sessions, total: result.total });
    if (result.total === 0) context.out.line("No sessions yet. Record one with `stint record`.");
    for (const metadata of result.sessions) context.out.line(sessionLine(metadata));
    if (result.total > result.sessions.length) context.out.line(`… ${result.total - result.sessions.length} more (use --limit)`);
    return 0;
  },
};
