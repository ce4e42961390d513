import { GC_GRACE_MS } from "../../src/storage/index.ts";
import { parseDuration, stringFlag } from "../args.ts";
import type { Command } from "./command.ts";
import { storageOf } from "./export.ts";
import { formatBytes } from "./storage-commands.ts";

export const gcCommand: Command = {
  name: "gc",
  summary: "Remove attachments no session uses any more",
  usage: "stint gc [--older-than 1h] [--json]",
  flags: { "older-than": { type: "string", description: "leave unreferenced attachments younger than this (default 1h)" } },
  async run(context) {
    const olderThan = stringFlag(context.args, "older-than");
    const graceMs = olderThan === undefined ? GC_GRACE_MS : parseDuration(olderThan, "older-than");
    const storage = storageOf(await context.openEngine());
    context.out.progress({ stage: "gc", fraction: 0, detail: "scanning references" });
    const report = await storage.gc(graceMs);
    context.out.progress({ stage: "gc", fraction: 1 });
    context.out.endProgress();
    context.out.json(report);
    context.out.line(`Removed ${report.removed} attachment${report.removed === 1 ? "" : "s"} (${formatBytes(report.freedBytes)}); ${report.kept} kept.`);
    return 0;
  },
};
