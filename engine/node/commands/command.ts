import type { Engine } from "../../src/engine/index.ts";
import type { Output } from "../output.ts";
import type { RunForwardedCommand } from "../server/owner-api.ts";

/** A flag a command accepts. Boolean flags take no value; string flags take one (`--name v` or `--name=v`). */
export interface FlagSpec {
  readonly type: "string" | "boolean";
  readonly description: string;
  /** Single-letter alias, e.g. "o" for --out. */
  readonly short?: string;
}

/** Parsed command line: positional arguments and flags by long name. */
export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
}

/** What a command receives. */
export interface CommandContext {
  readonly args: ParsedArgs;
  readonly json: boolean;
  readonly verbose: boolean;
  /** Resolved data directory (`--data-dir`, else `$STINT_DATA_DIR`, else the platform's user data folder). */
  readonly dataDir: string;
  readonly out: Output;
  /** Opens the engine over the Node host on `dataDir` (once; later calls return the same engine). */
  openEngine(options?: OpenEngineOptions): Promise<Engine>;
  /** Environment variables (tests pass their own). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when this runs inside the data folder's owner on behalf of another `stint` process. */
  readonly forwarded?: boolean;
  /** Set while this command owns the data folder: tells other processes how to reach it (`serve`). */
  readonly publishOwner?: (endpoint: { readonly url: string; readonly token: string }) => void;
  /** Runs a command line forwarded by another process on this command's open engine (`serve`). */
  readonly runForwarded?: RunForwardedCommand;
}

export interface OpenEngineOptions {
  /** Attach the simulated recorder (record, serve). */
  readonly recorder?: "simulated" | "none";
  /** Run background work such as the enrichment queue (default false: a command must not start jobs on the side). */
  readonly background?: boolean;
  /** Detect ffmpeg and OCR (default true); a command that only reads stored records skips the probes, each a process spawn. */
  readonly tools?: boolean;
}

/** One `stint <name>` command. `run` resolves with the exit code (0 ok, 1 failure). */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** e.g. "stint show <id> [--json]" */
  readonly usage: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  run(context: CommandContext): Promise<number>;
}

/** A usage mistake (unknown flag, missing argument): exit code 2 with the usage line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A failure the user can act on: one clear line, exit code 1. */
export class CommandFailure extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = "CommandFailure";
  }
}
