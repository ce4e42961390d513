import type { Engine } from "../../src/engine/index.ts";
import { importSessions, type SessionImportReport, type StorageFeature } from "../../src/storage/index.ts";
import { detectSource, SourceError } from "../taskerino/index.ts";
import { CommandFailure } from "./command.ts";

export interface TaskerinoResult {
  /** Which of the previous app's formats was found, in words. */
  readonly detected: string;
  readonly format: string;
  readonly sessions: SessionImportReport[];
  /** Files that could not be read, with why. */
  readonly problems: string[];
}

/**
 * Imports the previous app's sessions from whichever of its formats `path`
 * holds (data folder, backup, per-session export or a folder of them, or a
 * sessions list), one session at a time, matched by the old id.
 */
export async function importTaskerino(
  storage: StorageFeature,
  engine: Engine,
  options: { readonly path: string; readonly progress?: (stage: string, fraction: number, detail?: string) => void; readonly detected?: (description: string) => void },
): Promise<TaskerinoResult> {
  let source;
  try {
    source = detectSource(options.path, engine.context.host.media);
  } catch (error) {
    if (error instanceof SourceError) throw new CommandFailure(error.message, error.hint);
    throw error;
  }
  options.detected?.(source.description);
  const total = Math.max(1, source.sessions);
  const sessions = await importSessions({
    storage,
    host: engine.context.host,
    records: source.records(),
    progress: (done, detail) => options.progress?.("importing", Math.min(1, done / total), detail),
  });
  options.progress?.("importing", 1, `${sessions.length} session(s)`);
  return { detected: source.description, format: source.format, sessions, problems: source.problems };
}
