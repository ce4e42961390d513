import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { OwnerRecord } from "./owner.ts";

/** Flags whose value is a path (resolved here: the owner runs in another folder). */
const PATH_FLAGS = new Set(["--out", "-o", "--data-dir", "--file"]);

/**
 * The command line as the owner must see it: arguments naming files that
 * exist here, and path flags, made absolute against this process's folder.
 */
export function absolutizeArgs(argv: readonly string[], cwd: string): string[] {
  const result: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const previous = argv[i - 1];
    const eq = /^(--[a-z-]+)=(.*)$/.exec(arg);
    if (eq !== null && PATH_FLAGS.has(eq[1] as string) && eq[2] !== "") result.push(`${eq[1]}=${resolve(cwd, eq[2] as string)}`);
    else if (previous !== undefined && PATH_FLAGS.has(previous) && !arg.startsWith("-")) result.push(resolve(cwd, arg));
    else if (i > 0 && !arg.startsWith("-") && !isAbsolute(arg) && existsSync(resolve(cwd, arg))) result.push(resolve(cwd, arg));
    else result.push(arg);
  }
  return result;
}

/**
 * Sends a command line to the running owner of the data folder and relays its
 * output. Resolves with the exit code, or undefined when the owner could not
 * be reached (it may just have stopped).
 */
export async function forwardCommand(
  owner: OwnerRecord & { url: string; token: string },
  argv: readonly string[],
  io: { readonly stdout: NodeJS.WritableStream; readonly stderr: NodeJS.WritableStream },
  cwd: string,
): Promise<number | undefined> {
  let response: Response;
  try {
    response = await fetch(`${owner.url}/owner/command`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${owner.token}` },
      body: JSON.stringify({ argv: absolutizeArgs(argv, cwd) }),
    });
  } catch {
    return undefined;
  }
  if (!response.ok || response.body === null) {
    io.stderr.write(`stint: the data folder's owner (${owner.app}, pid ${owner.pid}) refused the command: ${(await response.text()).slice(0, 300)}\n`);
    return 1;
  }
  const decoder = new TextDecoder();
  let pending = "";
  let exit: number | undefined;
  const apply = (line: string) => {
    if (line === "") return;
    const frame = JSON.parse(line) as { out?: string; err?: string; exit?: number };
    if (frame.out !== undefined) io.stdout.write(frame.out);
    if (frame.err !== undefined) io.stderr.write(frame.err);
    if (frame.exit !== undefined) exit = frame.exit;
  };
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      pending += decoder.decode(chunk, { stream: true });
      let newline = pending.indexOf("\n");
      while (newline >= 0) {
        apply(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf("\n");
      }
    }
    apply(pending);
  } catch {
    io.stderr.write(`stint: the data folder's owner (${owner.app}, pid ${owner.pid}) stopped before the command finished\n`);
    return 1;
  }
  if (exit === undefined) {
    io.stderr.write(`stint: the data folder's owner (${owner.app}, pid ${owner.pid}) ended the command without an exit code\n`);
    return 1;
  }
  return exit;
}
