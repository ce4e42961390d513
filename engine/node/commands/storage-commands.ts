import type { SessionMetadata } from "../../src/domain/index.ts";
import type { IntegrityProblem } from "../../src/storage/index.ts";
import { oneLine } from "../output.ts";

/** Shared formatting for the storage commands (list, show, verify, repair, gc). */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${m}m${String(s % 60).padStart(2, "0")}s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

export function formatTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace("T", " ").slice(0, 16);
}

export function sessionLine(metadata: SessionMetadata): string {
  const counts = `${metadata.screenshots.itemCount} shots, ${metadata.audio.itemCount} audio`;
  return `${metadata.id}  ${formatTime(metadata.startedAt)}  ${metadata.status.padEnd(11)}  ${formatDuration(metadata.activeDurationMs).padStart(7)}  ${counts.padEnd(22)}  ${oneLine(metadata.name)}`;
}

export function problemLine(problem: IntegrityProblem): string {
  const where = [problem.sessionId === undefined ? undefined : `session ${problem.sessionId}`, problem.chunkIndex === undefined ? undefined : `chunk ${problem.chunkIndex}`]
    .filter((part) => part !== undefined)
    .join(", ");
  const moved = problem.quarantinedTo === undefined ? "" : ` (moved to ${problem.quarantinedTo})`;
  return `${problem.kind}: ${problem.message}${where === "" ? "" : ` [${where}]`}${moved}`;
}
