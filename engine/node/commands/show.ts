import * as z from "zod";
import { requirePositionals } from "../args.ts";
import type { Command } from "./command.ts";
import { resolveSessionId, storageOf } from "./export.ts";
import { formatBytes, formatDuration, formatTime, problemLine } from "./storage-commands.ts";
import { oneLine } from "../output.ts";

const Loose = z.looseObject({});
/** What `show` needs of a capture-health event in an integrity report (older reports hold plain strings). */
const WarningSchema = z.union([
  z.string(),
  z.looseObject({ message: z.string(), severity: z.string().optional(), service: z.string().optional(), sessionTimeMs: z.number().optional(), resolved: z.boolean().optional() }),
]);

/** One readable line for an integrity warning: "warning audio at 4:05: microphone silent (resolved)". */
export function warningLine(warning: unknown): string {
  const parsed = WarningSchema.safeParse(warning);
  if (!parsed.success) return JSON.stringify(warning) ?? String(warning);
  if (typeof parsed.data === "string") return parsed.data;
  const { message, severity, service, sessionTimeMs, resolved } = parsed.data;
  const where = [severity, service, sessionTimeMs === undefined ? undefined : `at ${formatDuration(sessionTimeMs)}`].filter((part) => part !== undefined).join(" ");
  return `${where === "" ? "" : `${where}: `}${message}${resolved === true ? " (resolved)" : ""}`;
}

export const showCommand: Command = {
  name: "show",
  summary: "Show one session: metadata, captured items, duplicates, health, summary, integrity",
  usage: "stint show <id> [--json]",
  flags: {},
  async run(context) {
    const [given] = requirePositionals(context.args, ["id"]);
    const storage = storageOf(await context.openEngine());
    const sessionId = await resolveSessionId(storage, given!);
    const full = (await storage.sessions.getFullSession(sessionId))!;
    const [markers, integrity, health] = await Promise.all([
      storage.store.getJson(`markers/${sessionId}.json`, z.array(Loose)).catch(() => undefined),
      storage.store.getJson(`integrity/${sessionId}.json`, Loose).catch(() => undefined),
      storage.store.getJson(`capture-health/${sessionId}.json`, z.unknown()).catch(() => undefined),
    ]);
    const duplicates = full.screenshots.filter((s) => s.isDuplicate).length;
    context.out.json({ ...full, markers: markers ?? [], integrityReport: integrity ?? null, health: health ?? null, duplicates });
    const m = full.metadata;
    context.out.line(`${oneLine(m.name)}  (${m.id})`);
    context.out.line(`  status      ${m.status}${m.endedAt === undefined ? "" : `, ended ${formatTime(m.endedAt)}`}`);
    context.out.line(`  started     ${formatTime(m.startedAt)}, ${formatDuration(m.activeDurationMs)} recorded`);
    context.out.line(`  screenshots ${full.screenshots.length} (${duplicates} duplicates)`);
    context.out.line(`  audio       ${full.audioSegments.length} segments, ${formatDuration(full.audioSegments.reduce((sum, s) => sum + s.durationMs, 0))}`);
    context.out.line(`  size        ${formatBytes(m.sizeBytes)}`);
    if (m.tags.length > 0) context.out.line(`  tags        ${m.tags.join(", ")}`);
    if (markers !== undefined && markers.length > 0) context.out.line(`  markers     ${markers.length}`);
    if (m.enrichmentStatus !== undefined) context.out.line(`  enrichment  ${m.enrichmentStatus.status}, $${m.enrichmentStatus.totalCost.toFixed(4)}`);
    if (full.summary !== undefined) context.out.line(`  summary     ${full.summary.summary.split("\n")[0]}`);
    const warnings = (integrity?.warnings as unknown[] | undefined) ?? m.integrity?.warnings ?? [];
    for (const warning of warnings) context.out.line(`  warning     ${warningLine(warning)}`);
    for (const problem of full.problems) context.out.line(`  problem     ${problemLine(problem)}`);
    return 0;
  },
};
