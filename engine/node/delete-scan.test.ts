import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCliIn } from "./cli-capture.ts";
import { enrichCommand } from "./commands/enrich.ts";
import { recordCommand } from "./commands/record.ts";
import { searchCommand } from "./commands/search.ts";
import { deleteCommand, listCommand, verifyCommand } from "./commands/storage-command-set.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const commands = [recordCommand, enrichCommand, searchCommand, deleteCommand, listCommand, verifyCommand];

/** Every path under the folder (files and folders) whose name or bytes contain `needle`. */
function mentions(root: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name.includes(needle)) found.push(relative(root, path));
      if (statSync(path).isDirectory()) walk(path);
      else if (readFileSync(path).includes(needle)) found.push(relative(root, path));
    }
  };
  walk(root);
  return found;
}

describe("stint delete", () => {
  it("leaves no file in the data folder that names the session, by path or by content, and the other session whole", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "stint-delete-scan-"));
    dirs.push(dataDir);
    const ids: string[] = [];
    for (const name of ["Kept", "Deleted"]) {
      // --video when ffmpeg is here: the merged video, media output and staging are part of what must go.
      const recorded = await runCliIn(dataDir, commands, ["record", "--name", name, "--duration", "30s", "--video", "--speed", "max", "--json"]);
      expect(recorded.code, recorded.err).toBe(0);
      ids.push(String(recorded.last().sessionId));
    }
    const [kept, gone] = ids as [string, string];
    for (const id of ids) expect((await runCliIn(dataDir, commands, ["enrich", id, "--provider", "local"])).code).toBe(0);
    // A query builds the search index: its segments are the session's files too.
    expect((await runCliIn(dataDir, commands, ["search", "screen"])).code).toBe(0);
    const before = mentions(dataDir, gone);
    expect(before.length).toBeGreaterThan(10);
    expect(before.some((path) => path.startsWith("search/"))).toBe(true);
    expect(before.some((path) => path.startsWith("ledger/"))).toBe(true);

    const deleted = await runCliIn(dataDir, commands, ["delete", gone, "--json"]);
    expect(deleted.code, deleted.err).toBe(0);

    expect(mentions(dataDir, gone)).toEqual([]);
    expect(mentions(dataDir, kept).length).toBeGreaterThan(10);
    const listed = await runCliIn(dataDir, commands, ["list", "--json"]);
    expect(listed.out).toContain(kept);
    expect(listed.out).not.toContain(gone);
    const verified = await runCliIn(dataDir, commands, ["verify", "--json"]);
    expect(verified.code, verified.out).toBe(0);
    expect(verified.last()).toMatchObject({ problems: [] });
  }, 240_000);
});
