import type { EvidenceItem, ExportFormat, SessionDetail } from "./review-schemas.ts";
import { formatOffset } from "./timeline.ts";

function evidenceSuffix(item: EvidenceItem): string {
  const first = item.evidence[0];
  const at = first === undefined ? "" : ` (at ${formatOffset(first.tStart)})`;
  return `${at}${item.unresolved === true ? " [evidence unresolved]" : ""}`;
}

function usd(value: number): string {
  return `$${value.toFixed(value < 1 ? 4 : 2)}`;
}

/** A readable Markdown report: summary, chapters, tasks, notes with timestamps, integrity, cost. */
export function toMarkdown(detail: SessionDetail, exportedAt: number): string {
  const { session } = detail;
  const lines: string[] = [];
  lines.push(`# ${session.name}`, "");
  lines.push(`- Started: ${new Date(session.startedAt).toISOString()}`);
  lines.push(`- Duration: ${formatOffset(session.durationMs)}`);
  lines.push(`- Status: ${session.status}; enrichment ${session.enrichment.state}`);
  if (session.tags.length > 0) lines.push(`- Tags: ${session.tags.join(", ")}`);
  lines.push("", "## Summary", "");
  if (detail.summary === undefined) lines.push("_No summary yet._");
  else {
    lines.push(detail.summary.text);
    if (detail.summary.points.length > 0) lines.push("");
    for (const point of detail.summary.points) lines.push(`- ${point.text}${evidenceSuffix(point)}`);
  }
  const chapters = detail.chapters ?? detail.timeline.filter((item) => item.kind === "chapter");
  lines.push("", "## Chapters", "");
  if (chapters.length === 0) lines.push("_No chapters._");
  for (const chapter of chapters) lines.push(`- ${formatOffset(chapter.t)} ${chapter.title}`);
  lines.push("", "## Tasks", "");
  if (detail.tasks.length === 0) lines.push("_No tasks._");
  for (const task of detail.tasks) lines.push(`- [${task.done === true ? "x" : " "}] ${task.text}${evidenceSuffix(task)}`);
  lines.push("", "## Notes", "");
  if (detail.notes.length === 0) lines.push("_No notes._");
  for (const note of detail.notes) lines.push(`- ${note.text}${evidenceSuffix(note)}`);
  lines.push("", "## Capture integrity", "");
  if (detail.integrity.ok) lines.push("No problems found.");
  for (const problem of detail.integrity.problems) lines.push(`- ${problem.kind}: ${problem.message}`);
  lines.push("", "## Cost", "");
  lines.push(`Total: ${usd(detail.cost.totalUsd)}`, "");
  for (const line of detail.cost.lines) lines.push(`- ${line.stage} (${line.provider}${line.model === undefined ? "" : `, ${line.model}`}): ${line.calls} calls, ${usd(line.usd)}`);
  lines.push("", `_Exported ${new Date(exportedAt).toISOString()}._`, "");
  return lines.join("\n");
}

/** The export file's name and text. */
export function exportSession(detail: SessionDetail, format: ExportFormat, exportedAt: number): { readonly fileName: string; readonly mimeType: string; readonly text: string } {
  const base = detail.session.name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || detail.session.id;
  if (format === "json") return { fileName: `${base}.json`, mimeType: "application/json", text: `${JSON.stringify(detail, null, 2)}\n` };
  return { fileName: `${base}.md`, mimeType: "text/markdown", text: toMarkdown(detail, exportedAt) };
}
