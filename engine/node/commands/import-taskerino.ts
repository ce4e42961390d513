import { readFileSync, statSync } from "node:fs";
import { EngineError } from "../../src/bridge/index.ts";
import type { Engine } from "../../src/engine/index.ts";
import { migrateV1, type StorageFeature } from "../../src/storage/index.ts";
import { CommandFailure } from "./command.ts";

export interface TaskerinoResult {
  readonly sessions: { sessionId: string; v1Id: string; screenshots: number; audioSegments: number }[];
  readonly alreadyImported: number;
  readonly skipped: { id: string; reason: string }[];
  readonly missingMedia: number;
}

/** A v1 export is one JSON document; anything bigger than this is not one. */
const MAX_EXPORT_BYTES = 2 * 1024 ** 3;

/**
 * Imports a previous app's exported sessions (schema v1) through storage's
 * own migration, which is idempotent and resumable: importing the same file
 * again (or after a crash) finishes the job instead of duplicating sessions.
 */
export async function importTaskerino(
  storage: StorageFeature,
  engine: Engine,
  options: { readonly file: string; readonly progress?: (stage: string, fraction: number, detail?: string) => void },
): Promise<TaskerinoResult> {
  let bytes: Uint8Array;
  try {
    const size = statSync(options.file).size;
    if (size > MAX_EXPORT_BYTES) throw new CommandFailure(`${options.file} is ${Math.round(size / 1024 ** 2)} MB, too big for an export file`);
    bytes = new Uint8Array(readFileSync(options.file));
  } catch (error) {
    if (error instanceof CommandFailure) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CommandFailure(`cannot read ${options.file} (${code ?? String(error)})`, code === "ENOENT" ? "Check the path." : code === "EISDIR" ? "Give the exported .json file, not a folder." : "Check that it is readable.");
  }
  try {
    JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new CommandFailure(`${options.file} is not valid JSON (${error instanceof Error ? error.message.slice(0, 120) : "unreadable"})`, "Export the sessions again from the previous app.");
  }
  try {
    const report = await migrateV1({
      storage,
      host: engine.context.host,
      source: bytes,
      progress: (fraction, detail) => options.progress?.("migrating", fraction, detail),
    });
    return { sessions: report.migrated, alreadyImported: report.alreadyDone, skipped: report.skipped, missingMedia: report.missingMedia };
  } catch (error) {
    if (error instanceof EngineError && error.code === "storage.migration_failed") {
      throw new CommandFailure(`${options.file} is not a sessions export the import understands (schema v1)`, "Export the sessions again from the previous app.");
    }
    throw error;
  }
}
