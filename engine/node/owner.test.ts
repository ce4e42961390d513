import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claimFolder, decideOwnership, OWNER_FILE, readOwnerRecord } from "./owner.ts";

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "stint-owner-"));
  dirs.push(dir);
  return dir;
}

/** Another process that takes the folder's lock with flock and says who it is, as the Mac app or a server would. */
async function holder(dataDir: string, record: Record<string, unknown>): Promise<ChildProcess> {
  const script = `
    const fs = require("fs"); const { flockSync } = require("fs-ext");
    const fd = fs.openSync(${JSON.stringify(join(dataDir, "owner.lock"))}, "a", 0o600);
    flockSync(fd, "exnb");
    fs.writeFileSync(${JSON.stringify(join(dataDir, OWNER_FILE))}, JSON.stringify({ ...${JSON.stringify(record)}, pid: process.pid }), { mode: 0o600 });
    process.stdout.write("locked\\n");
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["-e", script], { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("locked") && resolve());
    child.once("exit", (code) => reject(new Error(`holder exited ${code}`)));
  });
  return child;
}

const fast = { waitMs: 300, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 20))) };

describe("data folder ownership", () => {
  it("claims the folder, publishes a 0600 owner file, and removes it on release", async () => {
    const dataDir = folder();
    const lease = claimFolder(dataDir, { app: "stint serve", kind: "server" })!;
    expect(lease).toBeDefined();
    lease.publish({ url: "http://127.0.0.1:1", token: "t".repeat(64) });
    expect(statSync(join(dataDir, OWNER_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, "owner.lock")).mode & 0o777).toBe(0o600);
    expect(readOwnerRecord(dataDir)).toMatchObject({ pid: process.pid, kind: "server", url: "http://127.0.0.1:1" });
    await lease.release();
    expect(readOwnerRecord(dataDir)).toBeUndefined();
  });

  it("refuses a write command beside the Mac app with one line naming it, and reads beside it", async () => {
    const dataDir = folder();
    const app = await holder(dataDir, { v: 1, app: "Stint.app", kind: "app", startedAt: 1 });
    const write = await decideOwnership(dataDir, { app: "stint delete", kind: "command", readOnly: false, forwardable: true, ...fast });
    expect(write.mode).toBe("refuse");
    expect(write.mode === "refuse" && write.message).toBe(`Stint.app owns this data folder (pid ${app.pid}); quit it or use the app`);
    const read = await decideOwnership(dataDir, { app: "stint list", kind: "command", readOnly: true, forwardable: true, ...fast });
    expect(read.mode).toBe("read-only");
  });

  it("forwards to a server owner that published its address, and never lets a second server in", async () => {
    const dataDir = folder();
    await holder(dataDir, { v: 1, app: "stint serve", kind: "server", startedAt: 1, url: "http://127.0.0.1:9", token: "x" });
    const list = await decideOwnership(dataDir, { app: "stint list", kind: "command", readOnly: true, forwardable: true, ...fast });
    expect(list).toMatchObject({ mode: "forward", owner: { url: "http://127.0.0.1:9", token: "x" } });
    const serve = await decideOwnership(dataDir, { app: "stint serve", kind: "server", readOnly: false, forwardable: false, ...fast });
    expect(serve.mode).toBe("refuse");
  });

  it("takes over from a SIGKILLed owner whose owner file still names it", async () => {
    const dataDir = folder();
    const dead = await holder(dataDir, { v: 1, app: "stint serve", kind: "server", startedAt: 1, url: "http://127.0.0.1:9", token: "x" });
    expect(claimFolder(dataDir, { app: "stint gc", kind: "command" })).toBeUndefined();
    const exited = new Promise((resolve) => dead.once("exit", resolve));
    dead.kill("SIGKILL");
    await exited;
    expect(readOwnerRecord(dataDir)?.pid).toBe(dead.pid);
    const decision = await decideOwnership(dataDir, { app: "stint gc", kind: "command", readOnly: false, forwardable: true, ...fast });
    expect(decision.mode).toBe("own");
    expect(readOwnerRecord(dataDir)).toMatchObject({ pid: process.pid, app: "stint gc" });
    if (decision.mode === "own") await decision.lease.release();
  });

  it("waits for a short command that holds the folder, then says who it is", async () => {
    const dataDir = folder();
    const command = await holder(dataDir, { v: 1, app: "stint import", kind: "command", startedAt: 1 });
    const started = Date.now();
    const decision = await decideOwnership(dataDir, { app: "stint delete", kind: "command", readOnly: false, forwardable: true, waitMs: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(decision.mode === "refuse" && decision.message).toBe(`stint import (pid ${command.pid}) is writing to this data folder; try again when it ends`);
    expect(readFileSync(join(dataDir, OWNER_FILE), "utf8")).toContain("stint import");
  });
});
