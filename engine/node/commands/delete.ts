import { requirePositionals } from "../args.ts";
import type { Command } from "./command.ts";
import { resolveSessionId, storageOf } from "./export.ts";

export const deleteCommand: Command = {
  name: "delete",
  summary: "Delete a session with its chunks, summary and video (attachments go at the next gc)",
  usage: "stint delete <id> [--json]",
  flags: {},
  async run(context) {
    const [given] = requirePositionals(context.args, ["id"]);
    const storage = storageOf(await context.openEngine());
    const sessionId = await resolveSessionId(storage, given!);
    const name = (await storage.sessions.getMetadata(sessionId))?.name ?? "";
    await storage.sessions.deleteSession(sessionId);
    context.out.json({ deleted: true, sessionId });
    context.out.line(`Deleted ${sessionId}${name === "" ? "" : ` (${name})`}. Run \`stint gc\` to free its attachments.`);
    return 0;
  },
};
