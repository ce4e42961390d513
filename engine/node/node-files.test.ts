import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createNodeHost } from "./node-host.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the Node host's data folder", () => {
  it("is the user's alone: folders 0700, files 0600 whatever the umask allows", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "stint-modes-")), "data");
    dirs.push(dataDir);
    const previous = process.umask(0o022);
    try {
      const host = createNodeHost({ dataDir });
      await host.files.writeAtomic("sessions/metadata/a.json", new Uint8Array([1]));
      await host.files.mkdirp("journal");
      await host.files.append("journal/log", new Uint8Array([2]));
      await host.files.mkdirp("attachments/blobs");
      await host.files.copy("sessions/metadata/a.json", "attachments/blobs/b.dat");
      host.log.write("info", "hello");
      for (const dir of ["", "sessions", "sessions/metadata", "journal", "attachments/blobs", "logs"]) expect(statSync(join(dataDir, dir)).mode & 0o777, dir).toBe(0o700);
      for (const file of ["sessions/metadata/a.json", "journal/log", "attachments/blobs/b.dat", "logs/engine.log"]) expect(statSync(join(dataDir, file)).mode & 0o777, file).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });

  it("offers a process-wide flock: the same process gets it again; the file is 0600", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "stint-lock-"));
    dirs.push(dataDir);
    const host = createNodeHost({ dataDir });
    const first = await host.lock!.tryLock("owner.lock");
    const second = await host.lock!.tryLock("owner.lock");
    expect(first && second).toBeDefined();
    await first!.release!();
    await first!.release!();
    await second!.release!();
    expect(statSync(join(dataDir, "owner.lock")).mode & 0o777).toBe(0o600);
  });
});
