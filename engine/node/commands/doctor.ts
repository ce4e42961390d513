import { spawnSync } from "node:child_process";
import { mkdir, rm, statfs, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { detectLocalServers, type LocalServer } from "../local-servers.ts";
import type { Command } from "./command.ts";

/** One line of the doctor's report. */
export interface DoctorCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** What the user loses when the check fails. */
  readonly disables?: string;
}

/** How the doctor probes the machine; tests pass fakes. */
export interface DoctorProbe {
  which(program: string): string | undefined;
  run(program: string, args: readonly string[]): { ok: boolean; stdout: string };
  /** Model servers listening on this machine's usual loopback ports. */
  localServers?(): Promise<readonly LocalServer[]>;
}

export const systemProbe: DoctorProbe = {
  which(program) {
    const result = spawnSync("sh", ["-c", `command -v ${program}`], { encoding: "utf8" });
    return result.status === 0 ? result.stdout.trim() : undefined;
  },
  run(program, args) {
    const result = spawnSync(program, args, { encoding: "utf8", timeout: 10_000 });
    return { ok: result.status === 0, stdout: `${result.stdout ?? ""}${result.stderr ?? ""}` };
  },
  localServers: () => detectLocalServers(),
};

const MIN_FREE_BYTES = 2 * 1024 ** 3;

function firstLine(text: string): string {
  return text.split("\n").find((line) => line.trim() !== "")?.trim() ?? "";
}

/** Checks what this machine offers and what each missing piece disables. */
export async function runDoctor(dataDir: string, env: Readonly<Record<string, string | undefined>>, probe: DoctorProbe = systemProbe): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const tool = (name: string, program: string, versionArgs: readonly string[], disables: string) => {
    const path = probe.which(program);
    if (path === undefined) {
      checks.push({ name, ok: false, detail: `${program} not found`, disables });
      return;
    }
    const version = firstLine(probe.run(program, versionArgs).stdout);
    checks.push({ name, ok: true, detail: `${path}${version ? ` (${version.slice(0, 60)})` : ""}` });
  };

  checks.push({ name: "node", ok: Number(process.versions.node.split(".")[0]) >= 20, detail: `node ${process.versions.node}`, disables: "everything: Stint needs Node 20 or later" });

  const gcc = probe.which("gcc");
  const jsc = probe.run("pkg-config", ["--modversion", "javascriptcoregtk-4.1"]);
  checks.push(
    gcc !== undefined && jsc.ok
      ? { name: "javascriptcore host", ok: true, detail: `buildable (javascriptcoregtk-4.1 ${firstLine(jsc.stdout)}, gcc)` }
      : {
          name: "javascriptcore host",
          ok: false,
          detail: gcc === undefined ? "gcc not found" : "javascriptcoregtk-4.1 development files not found",
          disables: "the JavaScriptCore test suite (apt-get install libjavascriptcoregtk-4.1-dev pkg-config gcc)",
        },
  );
  tool("ffmpeg", "ffmpeg", ["-version"], "simulated video segments and merging video with audio (audio-only review still works)");
  tool("espeak-ng", "espeak-ng", ["--version"], "spoken words in simulated audio (tones and noise are used instead)");
  // The Node host's on-device OCR (host.vision); on the Mac it is Vision's.
  const ocrDisables =
    "on-device text recognition: the local provider cannot read screens (chapters and the summary come only from markers, timing and speech), and screenshots cannot be checked for secrets before they leave (apt-get install tesseract-ocr tesseract-ocr-eng)";
  if (probe.which("tesseract") === undefined) checks.push({ name: "tesseract", ok: false, detail: "tesseract not found", disables: ocrDisables });
  else {
    const langs = probe.run("tesseract", ["--list-langs"]);
    const english = /^eng$/m.test(langs.stdout);
    checks.push(english ? { name: "tesseract", ok: true, detail: `${firstLine(probe.run("tesseract", ["--version"]).stdout).slice(0, 60)}, English model` } : { name: "tesseract", ok: false, detail: "installed without its English model", disables: ocrDisables });
  }
  // Measured on the simulated recorder's espeak-ng speech, pocketsphinx (Debian's offline recogniser) got 95% of words wrong.
  checks.push({
    name: "speech recognition",
    ok: false,
    detail: "none in the Node host (pocketsphinx, the offline recogniser Debian offers, misheard 95% of words in our measurement)",
    disables: "local transcripts: audio is transcribed only by OpenAI (with its key and --audio-provider openai) or on the Mac",
  });
  const servers = (await probe.localServers?.().catch(() => [])) ?? [];
  checks.push(
    servers.length > 0
      ? { name: "local model server", ok: true, detail: servers.map((s) => `${s.name} at ${s.url}: ${s.models.slice(0, 6).join(", ") || "no models pulled"}`).join("; ") }
      : {
          name: "local model server",
          ok: false,
          detail: "none on 127.0.0.1 ports 11434 (Ollama), 1234 (LM Studio) or 8080 (llama.cpp)",
          disables: "stint enrich --provider local-server; the local provider extracts instead of writing with a model",
        },
  );
  tool("sox", "sox", ["--version"], "the sox peer in the media benchmark");

  const anthropic = Boolean(env.ANTHROPIC_API_KEY);
  const openai = Boolean(env.OPENAI_API_KEY);
  checks.push({ name: "ANTHROPIC_API_KEY", ok: anthropic, detail: anthropic ? "set" : "not set", disables: anthropic ? undefined : "the anthropic provider (local is used)" });
  checks.push({ name: "OPENAI_API_KEY", ok: openai, detail: openai ? "set" : "not set", disables: openai ? undefined : "the openai provider (local is used)" });

  try {
    await mkdir(dataDir, { recursive: true });
    const probePath = join(dataDir, `.doctor-${process.pid}`);
    await writeFile(probePath, "ok");
    await rm(probePath, { force: true });
    checks.push({ name: "data folder", ok: true, detail: `${dataDir} is writable` });
  } catch (error) {
    checks.push({ name: "data folder", ok: false, detail: `${dataDir} is not writable (${(error as { code?: string }).code ?? "error"})`, disables: "recording and storage: choose another folder with --data-dir" });
  }

  try {
    const stats = await statfs(dataDir);
    const free = stats.bavail * stats.bsize;
    checks.push({
      name: "free disk",
      ok: free >= MIN_FREE_BYTES,
      detail: `${(free / 1024 ** 3).toFixed(1)} GiB free`,
      disables: free >= MIN_FREE_BYTES ? undefined : "long recordings: under 2 GiB free, capture health warns and recording may stop",
    });
  } catch {
    checks.push({ name: "free disk", ok: false, detail: "unknown (the data folder is missing)", disables: "low-disk warnings" });
  }
  return checks;
}

export const doctorCommand: Command = {
  name: "doctor",
  summary: "what this machine offers and what each missing piece disables",
  usage: "stint doctor [--json]",
  flags: {},
  async run(context) {
    const checks = await runDoctor(context.dataDir, context.env);
    if (context.json) {
      context.out.json({ checks });
    } else {
      const width = Math.max(...checks.map((c) => c.name.length)) + 2;
      for (const check of checks) {
        context.out.line(`${check.ok ? "ok     " : "missing"}  ${check.name.padEnd(width)}${check.detail}${!check.ok && check.disables ? ` — disables ${check.disables}` : ""}`);
      }
    }
    // Missing optional pieces are not a failure; an unwritable data folder or old Node is.
    const fatal = checks.some((c) => !c.ok && (c.name === "data folder" || c.name === "node"));
    return fatal ? 1 : 0;
  },
};
