import type { FlagSpec, ParsedArgs } from "./commands/command.ts";
import { UsageError } from "./commands/command.ts";

/** Flags every command accepts. */
export const GLOBAL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  "data-dir": { type: "string", description: "data folder (default: $STINT_DATA_DIR, else the platform's user data folder)" },
  json: { type: "boolean", description: "machine-readable output" },
  verbose: { type: "boolean", description: "stack traces and engine logs on stderr" },
  help: { type: "boolean", description: "show help", short: "h" },
};

/** Parses argv against the command's flags plus the global ones. Unknown flags are usage errors. */
export function parseArgs(argv: readonly string[], flags: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const specs: Record<string, FlagSpec> = { ...GLOBAL_FLAGS, ...flags };
  const shorts = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short) shorts.set(spec.short, name);
  const positionals: string[] = [];
  const values: Record<string, string | boolean | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      if (name.startsWith("no-") && specs[name] === undefined && specs[name.slice(3)]?.type === "boolean") {
        values[name.slice(3)] = false;
        continue;
      }
    } else if (arg.startsWith("-") && arg.length === 2 && arg !== "-") {
      name = shorts.get(arg.slice(1));
      if (name === undefined) throw new UsageError(`unknown option ${arg}`);
    } else {
      positionals.push(arg);
      continue;
    }
    const spec = specs[name];
    if (spec === undefined) throw new UsageError(`unknown option --${name}`);
    if (spec.type === "boolean") {
      if (inline !== undefined && inline !== "true" && inline !== "false") throw new UsageError(`--${name} takes no value`);
      values[name] = inline === undefined ? true : inline === "true";
    } else {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith("--"))) throw new UsageError(`--${name} needs a value`);
      values[name] = value;
    }
  }
  return { positionals, flags: values };
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
