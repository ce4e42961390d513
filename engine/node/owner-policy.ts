import type { FeatureFactory } from "../src/engine/index.ts";
import { createReviewFeatureFactory } from "../src/review/index.ts";
import { createSearchFeature } from "../src/search/index.ts";
import { createStorageFeature } from "../src/storage/index.ts";

/** How a command relates to the data folder's owner. */
export interface OwnerPolicy {
  /** Opens the data folder at all (help-like commands such as doctor do not). */
  readonly touchesFolder: boolean;
  /** Only reads: may read committed state beside an owner that takes no forwarded work. */
  readonly readOnly: boolean;
  /** May run inside a running server that owns the folder (sent there over its loopback API). */
  readonly forwardable: boolean;
}

/** Commands that only read the library. */
const READ_COMMANDS = new Set(["list", "show", "export", "verify", "search", "mcp"]);
/**
 * Commands that never run inside another owner: `serve` is an owner itself;
 * `queue` and `cancel` work on the persisted queue directly rather than through
 * the running engine's, so inside an owner they would be a second writer.
 */
const NOT_FORWARDABLE = new Set(["serve", "queue", "cancel", "mcp"]); // mcp speaks on its own stdio for as long as the client keeps it
const NO_FOLDER = new Set(["doctor"]);

export function ownerPolicyFor(command: string, flags: Readonly<Record<string, unknown>>): OwnerPolicy {
  if (NO_FOLDER.has(command)) return { touchesFolder: false, readOnly: true, forwardable: false };
  const readOnly = READ_COMMANDS.has(command) && flags.repair !== true;
  return { touchesFolder: true, readOnly, forwardable: !NOT_FORWARDABLE.has(command) };
}

/** The engine a read command opens beside another owner: storage read-only and the review models, nothing that writes or runs jobs. */
export const READ_ONLY_FEATURES: readonly FeatureFactory[] = [createStorageFeature({ readOnly: true }), createReviewFeatureFactory(), createSearchFeature({ readOnly: true })];
