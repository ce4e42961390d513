import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../cli.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function io(env: Record<string, string>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  return { io: { stdout, stderr, env }, out: () => out, err: () => err };
}

function panel(): { root: string; ui: string } {
  const root = mkdtempSync(join(tmpdir(), "stint-serve-"));
  dirs.push(root);
  const ui = join(root, "ui");
  mkdirSync(ui);
  writeFileSync(join(ui, "index.html"), "<!doctype html><title>Stint</title>");
  return { root, ui };
}

describe("stint serve", () => {
  it("prints the address with its token, serves the panel, and stops on Ctrl-C", async () => {
    const { root, ui } = panel();
    const t = io({ STINT_WEBVIEW_DIR: ui });
    const running = runCli(["serve", "--port", "0", "--data-dir", join(root, "data")], t.io);
    let address = "";
    for (let i = 0; i < 200 && address === ""; i++) {
      address = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/.exec(t.out())?.[0] ?? "";
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(address).not.toBe("");
    expect((await fetch(address)).status).toBe(200);
    expect((await fetch(address.replace(/token=.*/, "token=wrong"))).status).toBe(401);
    process.emit("SIGINT");
    expect(await running).toBe(0);
  });

  it("refuses a bad port as a usage error and a missing panel as a failure", async () => {
    const { root, ui } = panel();
    const bad = io({ STINT_WEBVIEW_DIR: ui });
    expect(await runCli(["serve", "--port", "70000", "--data-dir", join(root, "d")], bad.io)).toBe(2);
    expect(bad.err()).toContain("--port");
    const missing = io({ STINT_WEBVIEW_DIR: join(root, "nowhere") });
    expect(await runCli(["serve", "--port", "0", "--data-dir", join(root, "d")], missing.io)).toBe(1);
    expect(missing.err()).toContain("npm run build");
  });
});
