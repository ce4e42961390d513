import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as z from "zod";
import { stringFlag } from "../args.ts";
import { UsageError, type CommandContext } from "./command.ts";
import { writeFileAtomic } from "./export.ts";
import { callEngine } from "./search-support.ts";

/** What the vault export remembers about the notes it wrote: `.stint-vault.json` in the folder. */
const ManifestSchema = z.object({ v: z.literal(1), notes: z.record(z.string(), z.object({ file: z.string(), sha256: z.string() })) });
type Manifest = z.infer<typeof ManifestSchema>;
const MANIFEST = ".stint-vault.json";

type Row = { id: string; name: string; startedAt: number; durationMs: number; tags: string[] };
type Detail = { session: Row; cost: { totalUsd: number }; timeline: { kind: string; app?: string }[] };

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const yamlString = (text: string) => JSON.stringify(text); // a JSON string is a valid YAML scalar

/** `2026-03-02 Harbour planning (0b6c3f2e).md`: sortable, readable, and unique by the id. */
function fileNameFor(row: Row): string {
  const date = new Date(row.startedAt).toISOString().slice(0, 10);
  const title = (row.name || "Untitled session").replace(/[\\/:*?"<>|#^[\]\n\r\t]+/g, " ").replace(/\s+/g, " ").trim().slice(0, 80);
  return `${date} ${title} (${row.id.slice(0, 8)}).md`;
}

function noteFor(detail: Detail, report: string): string {
  const row = detail.session;
  const apps = [...new Set(detail.timeline.flatMap((item) => (item.kind === "screenshot" && item.app !== undefined ? [item.app] : [])))].sort();
  const front = [
    "---",
    `stint_id: ${row.id}`,
    `date: ${new Date(row.startedAt).toISOString()}`,
    `duration_minutes: ${Math.round(row.durationMs / 60_000)}`,
    `tags: [${row.tags.map(yamlString).join(", ")}]`,
    `apps: [${apps.map(yamlString).join(", ")}]`,
    `cost_usd: ${detail.cost.totalUsd.toFixed(4)}`,
    "---",
    "",
  ];
  // The report's "Exported at" line would change every run; the note must not.
  return front.join("\n") + report.replace(/\n_Exported [^\n]*_\n/, "\n");
}

/**
 * `stint export --all --format md --to <folder>`: one Markdown note per session
 * with YAML front matter, usable as an Obsidian or Logseq vault folder. A note
 * keeps the name it was first written under; a note is rewritten only when its
 * content changed and nobody edited it since; files it did not write are never touched.
 */
export async function runVaultExport(context: CommandContext): Promise<number> {
  const format = stringFlag(context.args, "format") ?? "md";
  if (format !== "md") throw new UsageError("--all writes Markdown notes: use --format md");
  const to = stringFlag(context.args, "to");
  if (to === undefined || to === "") throw new UsageError("--all needs a folder: --to <folder>");
  if (context.args.positionals.length > 0) throw new UsageError("--all exports every session: leave out the id");
  const folder = resolve(to);
  mkdirSync(folder, { recursive: true });
  const manifestPath = join(folder, MANIFEST);
  let manifest: Manifest = { v: 1, notes: {} };
  if (existsSync(manifestPath)) {
    const parsed = ManifestSchema.safeParse(JSON.parse(readFileSync(manifestPath, "utf8")));
    if (parsed.success) manifest = parsed.data;
  }
  const engine = await context.openEngine();
  const { sessions } = await callEngine<{ sessions: Row[] }>(engine, "review.list", {});
  const counts = { written: 0, unchanged: 0, keptEdited: 0 };
  const taken = new Set(Object.values(manifest.notes).map((note) => note.file));
  for (const row of sessions) {
    const detail = await callEngine<Detail>(engine, "review.session", { id: row.id, timelineLimit: 100_000 });
    const { text: report } = await callEngine<{ text: string }>(engine, "review.export", { id: row.id, format: "md" });
    const note = noteFor(detail, report);
    const known = manifest.notes[row.id];
    let file = known?.file ?? fileNameFor(row);
    const path = join(folder, file);
    if (known === undefined && (taken.has(file) || existsSync(path))) {
      // Someone else's file has this name: never overwrite it.
      file = file.replace(/\.md$/, ` ${row.id}.md`);
    }
    const target = join(folder, file);
    const current = existsSync(target) ? readFileSync(target, "utf8") : undefined;
    if (current === note) {
      counts.unchanged++;
      continue;
    }
    if (current !== undefined && (known === undefined || sha256(current) !== known.sha256)) {
      counts.keptEdited++;
      continue;
    }
    await writeFileAtomic(target, note);
    manifest.notes[row.id] = { file, sha256: sha256(note) };
    taken.add(file);
    counts.written++;
  }
  if (counts.written > 0) await writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  context.out.json({ folder, sessions: sessions.length, ...counts });
  context.out.line(`${counts.written} note${counts.written === 1 ? "" : "s"} written, ${counts.unchanged} unchanged${counts.keptEdited > 0 ? `, ${counts.keptEdited} left alone (edited since they were written)` : ""} in ${folder}.`);
  return 0;
}
