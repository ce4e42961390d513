import type { IncomingMessage, ServerResponse } from "node:http";
import { Writable } from "node:stream";
import * as z from "zod";

/** Runs a `stint` command line inside the owner, on its engine, writing to the given streams. */
export type RunForwardedCommand = (argv: readonly string[], io: { readonly stdout: NodeJS.WritableStream; readonly stderr: NodeJS.WritableStream }) => Promise<number>;

export const ForwardRequestSchema = z
  .object({
    argv: z.array(z.string().max(10_000)).max(200),
  })
  .strict();

/** One line of the forwarded command's reply stream (NDJSON). */
export type ForwardFrame = { readonly out: string } | { readonly err: string } | { readonly exit: number };

function frameWriter(response: ServerResponse, key: "out" | "err"): Writable & { isTTY?: boolean } {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      response.write(`${JSON.stringify({ [key]: chunk.toString() })}\n`);
      done();
    },
  });
}

/**
 * `POST /owner/command`: a `stint` command started while this process owns
 * the data folder sends its command line here instead of opening the folder.
 * Output streams back as NDJSON frames, ending with the exit code.
 */
export async function handleForwardedCommand(body: Buffer, response: ServerResponse, run: RunForwardedCommand | undefined): Promise<void> {
  const reply = (status: number, message: string) => {
    response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    response.end(JSON.stringify({ error: { code: "owner.command_refused", message } }));
  };
  if (run === undefined) return reply(404, "this server takes no forwarded commands");
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return reply(400, "body is not valid JSON");
  }
  const request = ForwardRequestSchema.safeParse(parsed);
  if (!request.success) return reply(400, "body must be { argv: string[] }");
  response.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store", "x-content-type-options": "nosniff" });
  let code = 1;
  try {
    code = await run(request.data.argv, { stdout: frameWriter(response, "out"), stderr: frameWriter(response, "err") });
  } catch (error) {
    response.write(`${JSON.stringify({ err: `stint: ${error instanceof Error ? error.message : String(error)}\n` })}\n`);
  }
  response.end(`${JSON.stringify({ exit: code })}\n`);
}

/** True for the forwarding route. */
export function isForwardRoute(request: IncomingMessage, pathname: string): boolean {
  return pathname === "/owner/command" && request.method === "POST";
}
