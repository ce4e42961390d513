import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runDoctor, type DoctorProbe } from "./doctor.ts";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function fakeProbe(present: readonly string[]): DoctorProbe & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    which: (program) => {
      asked.push(program);
      return present.includes(program) ? `/usr/bin/${program}` : undefined;
    },
    run: (program) => ({ ok: present.includes(program), stdout: `${program} version 1.0\n` }),
  };
}

describe("stint doctor", () => {
  it("reports each missing tool with what it disables, and never prints key values", async () => {
    const dir = await mkdtemp(join(tmpdir(), "stint-doctor-"));
    dirs.push(dir);
    const probe = fakeProbe(["ffmpeg"]);
    const checks = await runDoctor(dir, { ANTHROPIC_API_KEY: "sk-ant-very-secret-value" }, probe);
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(byName.ffmpeg?.ok).toBe(true);
    expect(byName["espeak-ng"]).toMatchObject({ ok: false, disables: expect.stringContaining("simulated audio") });
    expect(byName["javascriptcore host"]?.ok).toBe(false);
    expect(byName.ANTHROPIC_API_KEY).toMatchObject({ ok: true, detail: "set" });
    expect(byName.OPENAI_API_KEY).toMatchObject({ ok: false, disables: expect.stringContaining("local") });
    expect(byName["data folder"]?.ok).toBe(true);
    expect(JSON.stringify(checks)).not.toContain("very-secret");
    expect(probe.asked).toEqual(expect.arrayContaining(["ffmpeg", "espeak-ng", "tesseract", "gcc"]));
  });

  it("flags an unwritable data folder", async () => {
    const dir = await mkdtemp(join(tmpdir(), "stint-doctor-"));
    dirs.push(dir);
    await writeFile(join(dir, "a-file"), "x");
    // A folder "inside" a regular file can never be created, even as root.
    const checks = await runDoctor(join(dir, "a-file", "data"), {}, fakeProbe([]));
    expect(checks.find((c) => c.name === "data folder")?.ok).toBe(false);
  });
});
