import { PassThrough } from "node:stream";
import { runCli } from "./cli.ts";
import type { Command } from "./commands/command.ts";

/** Output streams for driving `runCli` from tests: what a command printed, as text. */
export function captureIo(env: Record<string, string | undefined> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => (out += c));
  stderr.on("data", (c) => (err += c));
  return { io: { stdout, stderr, env }, out: () => out, err: () => err };
}

/** Runs `stint <argv> --data-dir DIR` with these commands: its exit code, its output, and its last output line as JSON. */
export async function runCliIn(dataDir: string, commands: readonly Command[], argv: readonly string[]) {
  const run = captureIo();
  const code = await runCli([...argv, "--data-dir", dataDir], run.io, commands);
  const out = run.out();
  const lines = out.trim().split("\n").filter((line) => line !== "");
  return { code, out, err: run.err(), last: () => JSON.parse(lines.at(-1)!) as Record<string, unknown> };
}
