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
    run: (program, args) => ({ ok: present.includes(program), stdout: args.includes("--list-langs") ? "List of available languages (2):\neng\nosd\n" : `${program} version 1.0\n` }),
    localServers: async () => [],
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

  it("says what missing OCR, speech and a local model server disable, and lists a server's models", async () => {
    const dir = await mkdtemp(join(tmpdir(), "stint-doctor-"));
    dirs.push(dir);
    const without = Object.fromEntries((await runDoctor(dir, {}, fakeProbe([]))).map((c) => [c.name, c]));
    expect(without.tesseract).toMatchObject({ ok: false, disables: expect.stringContaining("cannot read screens") });
    expect(without["speech recognition"]).toMatchObject({ ok: false, disables: expect.stringContaining("local transcripts") });
    expect(without["local model server"]).toMatchObject({ ok: false, disables: expect.stringContaining("--provider local-server") });
    const probe = { ...fakeProbe(["tesseract"]), localServers: async () => [{ name: "Ollama", url: "http://127.0.0.1:11434/v1", models: ["llama3.2:3b", "llava:7b"] }] };
    const withAll = Object.fromEntries((await runDoctor(dir, {}, probe)).map((c) => [c.name, c]));
    expect(withAll.tesseract).toMatchObject({ ok: true, detail: expect.stringContaining("English model") });
    expect(withAll["local model server"]).toMatchObject({ ok: true, detail: "Ollama at http://127.0.0.1:11434/v1: llama3.2:3b, llava:7b" });
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
