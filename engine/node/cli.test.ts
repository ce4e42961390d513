import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseArgs, parseDuration } from "./args.ts";
import { runCli } from "./cli.ts";
import { CommandFailure, UsageError, type Command } from "./commands/command.ts";
import { COMMANDS } from "./commands/index.ts";
import { resolveDataDir } from "./data-dir.ts";

function io(env: Record<string, string | undefined> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => (out += c));
  stderr.on("data", (c) => (err += c));
  return { io: { stdout, stderr, env }, out: () => out, err: () => err };
}

const probe: Command = {
  name: "probe",
  summary: "test command",
  usage: "stint probe <id> [--mode M]",
  flags: { mode: { type: "string", description: "mode" } },
  async run(ctx) {
    if (ctx.args.positionals[0] === "fail") throw new CommandFailure("the thing failed", "Do the other thing.");
    if (ctx.args.positionals[0] === "crash") throw new Error("boom");
    ctx.out.line(`human ${ctx.dataDir}`);
    ctx.out.json({ dataDir: ctx.dataDir, mode: ctx.args.flags.mode ?? null });
    return 0;
  },
};

describe("stint command line", () => {
  it("prints version and help", async () => {
    const a = io();
    expect(await runCli(["--version"], a.io, [probe])).toBe(0);
    expect(a.out()).toMatch(/^stint \d+\.\d+\.\d+/);
    const b = io();
    expect(await runCli(["--help"], b.io, [probe])).toBe(0);
    expect(b.out()).toContain("probe");
    expect(b.out()).toContain("--data-dir");
  });

  it("separates every option from its description in every command's help", async () => {
    for (const command of COMMANDS) {
      const run = io();
      expect(await runCli([command.name, "--help"], run.io, COMMANDS)).toBe(0);
      const optionLines = run.out().split("\n").filter((line) => line.startsWith("  --"));
      expect(optionLines.length, command.name).toBeGreaterThan(0);
      // "  --flag <value>  description": at least two spaces after the flag, whatever its length.
      for (const line of optionLines) expect(line, `${command.name}: ${line}`).toMatch(/^ {2}--[a-z0-9-]+(?: <value>)?(?:, -[a-z])? {2,}\S/);
    }
  });

  it("names the flag in parse errors", () => {
    const flags = { out: { type: "string", description: "", short: "o" }, batch: { type: "boolean", description: "" } } as const;
    expect(parseArgs(["--out=x", "--", "--literal"], flags)).toEqual({ positionals: ["--literal"], flags: { out: "x" } });
    for (const [argv, message] of [
      [["--out"], "--out needs a value"],
      [["-o"], "--out needs a value"],
      [["--out", "--json"], "--out needs a value"],
      [["--batch=yes"], "--batch takes no value"],
      [["--bogus"], "unknown option --bogus"],
      [["-q"], "unknown option -q"],
    ] as const) {
      expect(() => parseArgs(argv, flags), argv.join(" ")).toThrow(new UsageError(message));
    }
  });

  it("exits 2 on usage errors with the usage line", async () => {
    const a = io();
    expect(await runCli(["nope"], a.io, [probe])).toBe(2);
    const b = io();
    expect(await runCli(["probe", "--unknown"], b.io, [probe])).toBe(2);
    expect(b.err()).toContain("unknown option --unknown");
    expect(b.err()).toContain("Usage: stint probe");
    const c = io();
    expect(await runCli(["probe", "--mode"], c.io, [probe])).toBe(2);
  });

  it("exits 1 on failure with one clear line and no stack unless --verbose", async () => {
    const a = io();
    expect(await runCli(["probe", "fail"], a.io, [probe])).toBe(1);
    expect(a.err().trim()).toBe("stint probe: the thing failed. Do the other thing.");
    const b = io();
    expect(await runCli(["probe", "crash"], b.io, [probe])).toBe(1);
    expect(b.err()).not.toContain("    at ");
    const c = io();
    expect(await runCli(["probe", "crash", "--verbose"], c.io, [probe])).toBe(1);
    expect(c.err()).toContain("    at ");
  });

  it("honours --json, --data-dir and $STINT_DATA_DIR", async () => {
    const a = io({ STINT_DATA_DIR: "/tmp/from-env" });
    expect(await runCli(["probe", "x", "--json", "--mode=fast"], a.io, [probe])).toBe(0);
    expect(JSON.parse(a.out())).toEqual({ dataDir: "/tmp/from-env", mode: "fast" });
    const b = io({ STINT_DATA_DIR: "/tmp/from-env" });
    expect(await runCli(["probe", "x", "--data-dir", "/tmp/from-flag"], b.io, [probe])).toBe(0);
    expect(b.out().trim()).toBe("human /tmp/from-flag");
  });

  it("resolves the platform's user data folder", () => {
    expect(resolveDataDir(undefined, { HOME: "/Users/a" }, "darwin")).toBe("/Users/a/Library/Application Support/Stint");
    expect(resolveDataDir(undefined, { HOME: "/home/a" }, "linux")).toBe("/home/a/.local/share/stint");
    expect(resolveDataDir(undefined, { HOME: "/home/a", XDG_DATA_HOME: "/x" }, "linux")).toBe("/x/stint");
  });

  it("parses flags and durations", () => {
    expect(parseArgs(["a", "--json", "--no-audio", "-h"], { audio: { type: "boolean", description: "" } }).flags).toEqual({ json: true, audio: false, help: true });
    expect(parseDuration("30m", "duration")).toBe(1_800_000);
    expect(parseDuration("1h30m", "duration")).toBe(5_400_000);
    expect(parseDuration("250ms", "x")).toBe(250);
    expect(parseDuration("5", "x")).toBe(5000);
    expect(() => parseDuration("soon", "duration")).toThrow(/not a duration/);
  });
});
