import { EngineError } from "../src/bridge/index.ts";
import { createEngine, ENGINE_VERSION, type Engine } from "../src/engine/index.ts";
import { PRODUCT_FEATURES } from "../src/product/index.ts";
import { GLOBAL_FLAGS, parseArgs, stringFlag } from "./args.ts";
import { createNodeCapabilities } from "./capabilities.ts";
import { CommandFailure, UsageError, type Command, type CommandContext, type FlagSpec, type OpenEngineOptions } from "./commands/command.ts";
import { COMMANDS } from "./commands/index.ts";
import { resolveDataDir } from "./data-dir.ts";
import { createNodeHost } from "./node-host.ts";
import { createOutput } from "./output.ts";
import { forwardCommand } from "./forward.ts";
import { decideOwnership, describeOwner, type FolderLease } from "./owner.ts";
import { READ_ONLY_FEATURES, ownerPolicyFor } from "./owner-policy.ts";

export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** One line per flag, descriptions aligned after the longest flag (two spaces at the least). */
function formatFlags(flags: Readonly<Record<string, FlagSpec>>, extra: readonly [string, string][] = []): string {
  const rows: [string, string][] = [
    ...Object.entries(flags).map(([name, spec]): [string, string] => [`--${name}${spec.type === "string" ? " <value>" : ""}${spec.short ? `, -${spec.short}` : ""}`, spec.description]),
    ...extra,
  ];
  const width = Math.max(24, ...rows.map(([flag]) => flag.length)) + 2;
  return rows.map(([flag, description]) => `  ${flag.padEnd(width)}${description}`).join("\n");
}

function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(8, ...commands.map((c) => c.name.length)) + 2;
  return [
    "stint — record work sessions and review them",
    "",
    "Usage: stint <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
    "Global options:",
    formatFlags(GLOBAL_FLAGS, [["--version", "print the version"]]),
    "",
    "Run `stint <command> --help` for a command's options.",
  ].join("\n");
}

function commandHelp(command: Command): string {
  return [`Usage: ${command.usage}`, "", command.summary, "", "Options:", formatFlags({ ...command.flags, ...GLOBAL_FLAGS })].join("\n");
}

export interface RunCliOptions {
  /** Set when the command runs inside the data folder's owner for another process: use its engine, never open the folder. */
  readonly inOwner?: Engine;
}

/** Runs the `stint` command line; resolves with the exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly Command[] = COMMANDS, options: RunCliOptions = {}): Promise<number> {
  const wantsJson = argv.includes("--json");
  const verbose = argv.includes("--verbose");
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const target = name === "help" ? commands.find((c) => c.name === rest[0]) : undefined;
    io.stdout.write(`${target ? commandHelp(target) : mainHelp(commands)}\n`);
    return 0;
  }
  if (name === "--version" || name === "-v" || name === "version") {
    io.stdout.write(wantsJson ? `${JSON.stringify({ version: ENGINE_VERSION })}\n` : `stint ${ENGINE_VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr.write(`stint: unknown command "${name}". Run \`stint --help\` for the list.\n`);
    return 2;
  }
  let engine: Engine | undefined;
  let lease: FolderLease | undefined;
  try {
    const args = parseArgs(rest, command.flags);
    if (args.flags.help === true) {
      io.stdout.write(`${commandHelp(command)}\n`);
      return 0;
    }
    const json = args.flags.json === true;
    const dataDir = resolveDataDir(stringFlag(args, "data-dir"), io.env);
    const out = createOutput({ json, stdout: io.stdout as never, stderr: io.stderr as never });
    const policy = ownerPolicyFor(command.name, args.flags);
    let readOnly = false;
    if (options.inOwner !== undefined) {
      if (!policy.forwardable) throw new CommandFailure(`stint ${command.name} cannot run inside the process that owns this data folder`, "stop the owner first, or use its panel");
    } else if (policy.touchesFolder) {
      // Exactly one writer per data folder: own it, send the work to its owner, read beside it, or say who holds it.
      const decision = await decideOwnership(dataDir, { app: `stint ${command.name}`, kind: command.name === "serve" ? "server" : "command", readOnly: policy.readOnly, forwardable: policy.forwardable, waitMs: Number(io.env.STINT_OWNER_WAIT_MS ?? 15_000) });
      if (decision.mode === "forward") {
        const forwarded = await forwardCommand(decision.owner, argv, io, process.cwd());
        if (forwarded !== undefined) return forwarded;
        throw new CommandFailure(`${describeOwner(decision.owner)}, but it did not answer`, "try again in a moment");
      }
      if (decision.mode === "refuse") throw new CommandFailure(decision.message);
      if (decision.mode === "own") lease = decision.lease;
      if (decision.mode === "read-only") {
        readOnly = true;
        if (verbose) io.stderr.write(`stint ${command.name}: ${describeOwner(decision.owner)}; reading its committed state\n`);
      }
    }
    let opening: Promise<Engine> | undefined;
    const context: CommandContext = {
      args,
      json,
      verbose,
      dataDir,
      out,
      env: io.env,
      forwarded: options.inOwner !== undefined,
      publishOwner: lease === undefined ? undefined : (endpoint) => lease!.publish(endpoint),
      runForwarded: (forwardedArgv, streams) =>
        engine === undefined ? Promise.reject(new Error("the engine is not open")) : runCli(forwardedArgv, { ...streams, env: io.env }, commands, { inOwner: engine }),
      openEngine(openOptions: OpenEngineOptions = {}) {
        if (options.inOwner !== undefined) return Promise.resolve(options.inOwner);
        opening ??= (async () => {
          const { bind, ...extras } =
            openOptions.tools === false ? { bind: () => {} } : await createNodeCapabilities({ dataDir, recorder: readOnly ? "none" : (openOptions.recorder ?? "none"), env: io.env });
          const host = createNodeHost({ dataDir, env: io.env, echoLogs: verbose, logLevel: verbose ? "debug" : "info", ...extras });
          const created = await createEngine(host, readOnly ? READ_ONLY_FEATURES : PRODUCT_FEATURES, { background: readOnly ? false : (openOptions.background ?? false) });
          bind(host, created);
          engine = created;
          return created;
        })();
        return opening;
      },
    };
    const code = await command.run(context);
    out.endProgress();
    return code;
  } catch (error) {
    return reportFailure(error, command, io, wantsJson, verbose);
  } finally {
    if (options.inOwner === undefined) await engine?.stop();
    await lease?.release();
  }
}

function reportFailure(error: unknown, command: Command, io: CliIo, json: boolean, verbose: boolean): number {
  if (error instanceof UsageError) {
    io.stderr.write(`stint ${command.name}: ${error.message}\nUsage: ${command.usage}\n`);
    if (json) io.stdout.write(`${JSON.stringify({ error: { code: "usage", message: error.message } })}\n`);
    return 2;
  }
  const code = error instanceof EngineError ? error.code : error instanceof CommandFailure ? "failed" : "internal";
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof CommandFailure && error.hint ? ` ${error.hint}` : error instanceof EngineError ? hintFor(error) : "";
  io.stderr.write(`stint ${command.name}: ${message}.${hint}\n`);
  if (verbose && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  if (json) io.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
  return 1;
}

function hintFor(error: EngineError): string {
  if (error.code === "storage.disk_full") return " Free some disk space and try again.";
  if (error.code === "storage.not_found" || error.code === "session.not_found") return " Run `stint list` to see the sessions.";
  if (error.code === "enrichment.provider_unavailable") return " Set the provider's API key or use --provider local.";
  if (error.code === "storage.read_only") return " Another process owns the data folder; quit it to make changes.";
  if (error.code === "storage.locked") return " Another process owns the data folder.";
  if (error.code === "storage.permission_denied") return " Check that the data folder is writable (--data-dir).";
  return error.retryable ? " This may succeed if you try again." : "";
}
