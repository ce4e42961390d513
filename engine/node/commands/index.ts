import type { Command } from "./command.ts";
import { doctorCommand } from "./doctor.ts";
import { searchCommand } from "./search.ts";
import { mcpCommand } from "./mcp.ts";
import { serveCommand } from "./serve.ts";
import { recordCommand } from "./record.ts";
import { exportCommand } from "./export.ts";
import { importCommand } from "./import.ts";
import { enrichCommand, retryCommand } from "./enrich.ts"; import { queueCommand } from "./queue.ts"; import { cancelCommand } from "./cancel.ts";
import { listCommand, showCommand, deleteCommand, gcCommand, verifyCommand, repairCommand } from "./storage-command-set.ts";

/**
 * Every `stint` command. Feature work adds its commands here, one line each.
 */
export const COMMANDS: readonly Command[] = [
  doctorCommand,
  serveCommand,
  recordCommand,
  exportCommand,
  importCommand,
  listCommand, showCommand, deleteCommand, gcCommand, verifyCommand, repairCommand,
  enrichCommand, retryCommand, queueCommand, cancelCommand,
  searchCommand, mcpCommand,
];
