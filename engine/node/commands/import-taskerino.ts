import type { Engine } from "../../src/engine/index.ts";
import type { StorageFeature } from "../../src/storage/index.ts";
import { CommandFailure } from "./command.ts";

export interface TaskerinoResult {
  readonly sessions: { sessionId: string; name: string; screenshots: number; audioSegments: number }[];
  readonly skipped: { id: string; reason: string }[];
}

export async function importTaskerino(
  _storage: StorageFeature,
  _engine: Engine,
  options: { readonly file: string; readonly progress?: (stage: string, fraction: number, detail?: string) => void },
): Promise<TaskerinoResult> {
  throw new CommandFailure(`cannot import ${options.file}: the schema v1 migration is not available in this build`);
}
