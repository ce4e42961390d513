import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

// The disk fills up while the report is written: every write to a file fails with ENOSPC.
const hits = vi.hoisted(() => ({ count: 0 }));
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  return {
    ...fs,
    writeSync: () => {
      hits.count++;
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    },
  };
});

const { writeFileAtomic } = await import("./export.ts");

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("stint export --out on a full disk", () => {
  it("fails with one clear line and leaves neither the file nor a temp file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stint-export-full-"));
    dirs.push(dir);
    await expect(writeFileAtomic(join(dir, "report.md"), "# report\n")).rejects.toThrow(/the disk is full writing .*report\.md/);
    expect(hits.count).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });
});
