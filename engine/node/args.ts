import { parseArgs as parseNodeArgs } from "node:util";
import type { FlagSpec, ParsedArgs } from "./commands/command.ts";
import { UsageError } from "./commands/command.ts";

/** Flags every command accepts. */
export const GLOBAL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  "data-dir": { type: "string", description: "data folder (default: $STINT_DATA_DIR, else the platform's user data folder)" },
  json: { type: "boolean", description: "machine-readable output" },
  verbose: { type: "boolean", description: "stack traces and engine logs on stderr" },
  help: { type: "boolean", description: "show help", short: "h" },
};

/**
 * Parses argv against the command's flags plus the global ones, with Node's own parser
 * (`--name value`, `--name=value`, `-x`, `--no-flag` for booleans, `--` ends the options).
 * Unknown flags, missing values and values given to boolean flags are usage errors.
 */
export function parseArgs(argv: readonly string[], flags: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const specs: Record<string, FlagSpec> = { ...GLOBAL_FLAGS, ...flags };
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const [name, spec] of Object.entries(specs)) options[name] = spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short };
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args: [...argv], options, strict: true, allowPositionals: true, allowNegative: true });
  } catch (error) {
    throw new UsageError(usageMessage(error, specs));
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, value] of Object.entries(parsed.values)) values[name] = Array.isArray(value) ? value.at(-1) : value;
  return { positionals: parsed.positionals, flags: values };
}

/** Node's parse errors, reworded to name the flag as the user typed it. */
function usageMessage(error: unknown, specs: Readonly<Record<string, FlagSpec>>): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  // Node names the option as '--name', '-x' or '-x, --name <value>': prefer the long name.
  const long = /'(?:-\w, )?--([A-Za-z0-9-]+)/.exec(message)?.[1];
  const short = /'-(\w)'/.exec(message)?.[1];
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${long !== undefined ? `--${long}` : short !== undefined ? `-${short}` : message}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = long ?? Object.entries(specs).find(([, spec]) => spec.short === short)?.[0] ?? "";
      return specs[name]?.type === "boolean" ? `--${name} takes no value` : `--${name} needs a value`;
    }
    default:
      return message;
  }
}

/** Parses "30m", "5s", "1h30m", "250ms", or a bare number of seconds, into milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const pattern = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(pattern)) {
    const value = Number(match[1]);
    total += value * (match[2] === "h" ? 3_600_000 : match[2] === "m" ? 60_000 : match[2] === "s" ? 1000 : 1);
    consumed += match[0].length;
  }
  if (consumed !== trimmed.length || consumed === 0) throw new UsageError(`--${flag}: "${text}" is not a duration (try 30s, 5m, 1h)`);
  return Math.round(total);
}

/** A string flag's value, or undefined. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags[name];
  return typeof value === "string" ? value : undefined;
}

/** Exactly `count` positionals, else a usage error naming what is missing. */
export function requirePositionals(args: ParsedArgs, names: readonly string[]): string[] {
  if (args.positionals.length < names.length) throw new UsageError(`missing <${names[args.positionals.length]}>`);
  if (args.positionals.length > names.length) throw new UsageError(`unexpected argument "${args.positionals[names.length]}"`);
  return [...args.positionals];
}
