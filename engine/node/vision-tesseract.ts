/**
 * `host.vision` for the Node host: Debian's `tesseract-ocr`, run per image,
 * read through its TSV output (one row per word with its box and confidence)
 * and grouped into lines. Nothing leaves the machine.
 */
import { spawn, spawnSync } from "node:child_process";
import { stat } from "node:fs/promises";
import { hostError, type OcrLine, type OcrResult, type VisionPort } from "../src/host/index.ts";
import { resolveHostPath } from "./node-files.ts";

export interface TesseractVisionOptions {
  /** Relative paths resolve against this (the host's data directory). */
  readonly dataDir: string;
  readonly tesseract?: string;
  /** Images recognised at once (default 2; each run is held to one thread). */
  readonly concurrency?: number;
}

/** Whether tesseract and its English model are installed. */
export function tesseractAvailable(program = "tesseract"): boolean {
  const result = spawnSync(program, ["--list-langs"], { encoding: "utf8", timeout: 10_000 });
  return result.status === 0 && /^eng$/m.test(result.stdout ?? "");
}

/** Groups tesseract's TSV word rows into lines with union boxes and mean confidence (0–1). */
export function parseTesseractTsv(tsv: string): OcrResult {
  const lines = new Map<string, { words: string[]; confidences: number[]; x0: number; y0: number; x1: number; y1: number }>();
  for (const row of tsv.split("\n").slice(1)) {
    const cells = row.split("\t");
    if (cells.length < 12 || cells[0] !== "5") continue;
    const text = cells.slice(11).join("\t").trim();
    const confidence = Number(cells[10]);
    if (text === "" || !Number.isFinite(confidence) || confidence < 0) continue;
    const [left, top, width, height] = cells.slice(6, 10).map(Number) as [number, number, number, number];
    const key = `${cells[1]}.${cells[2]}.${cells[3]}.${cells[4]}`;
    const line = lines.get(key) ?? { words: [], confidences: [], x0: left, y0: top, x1: left + width, y1: top + height };
    line.words.push(text);
    line.confidences.push(confidence / 100);
    line.x0 = Math.min(line.x0, left);
    line.y0 = Math.min(line.y0, top);
    line.x1 = Math.max(line.x1, left + width);
    line.y1 = Math.max(line.y1, top + height);
    lines.set(key, line);
  }
  const out: OcrLine[] = [...lines.values()].map((line) => ({
    text: line.words.join(" "),
    confidence: line.confidences.reduce((a, b) => a + b, 0) / line.confidences.length,
    box: { x: line.x0, y: line.y0, width: line.x1 - line.x0, height: line.y1 - line.y0 },
  }));
  return {
    text: out.map((line) => line.text).join("\n"),
    confidence: out.length === 0 ? 0 : out.reduce((sum, line) => sum + line.confidence, 0) / out.length,
    lines: out,
  };
}

function runTesseract(program: string, path: string, languages: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // One thread per run: the machine's cores are better spent on parallel images than on OpenMP.
    const child = spawn(program, [path, "stdout", "-l", languages, "--psm", "3", "tsv"], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, OMP_THREAD_LIMIT: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Tesseract-backed text recognition, or undefined when tesseract is not installed. */
export function createTesseractVision(options: TesseractVisionOptions): VisionPort | undefined {
  const program = options.tesseract ?? "tesseract";
  if (!tesseractAvailable(program)) return undefined;
  const limit = Math.max(1, options.concurrency ?? 2);
  let running = 0;
  const waiting: (() => void)[] = [];
  const acquire = async () => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
  };
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return {
    async recognizeText(path, recognizeOptions) {
      const absolute = resolveHostPath(options.dataDir, path);
      const info = await stat(absolute).catch(() => undefined);
      if (info === undefined) throw hostError("ENOENT", `no image at ${path}`);
      if (!info.isFile()) throw hostError("EINVAL", `not a file: ${path}`);
      // Tesseract names its models by ISO 639-2 ("eng"); callers may pass BCP 47 ("en-US").
      const languages = (recognizeOptions?.languages ?? ["eng"]).map((l) => (l.toLowerCase().startsWith("en") ? "eng" : l)).join("+");
      await acquire();
      try {
        const result = await runTesseract(program, absolute, languages);
        if (result.code !== 0) throw hostError("EINVAL", `text recognition failed for ${path}: ${result.stderr.trim().split("\n").pop() ?? "tesseract error"}`);
        return parseTesseractTsv(result.stdout);
      } finally {
        release();
      }
    },
  };
}
