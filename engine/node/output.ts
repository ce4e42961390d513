import type { Writable } from "node:stream";

/** Progress of a long command: stage, fraction done (0–1), optional detail. */
export interface ProgressUpdate {
  readonly stage: string;
  readonly fraction: number;
  readonly detail?: string;
}

/** Where a command writes: human text, JSON, progress. Chosen by `--json` and whether stdout is a terminal. */
export interface Output {
  /** A human line on stdout (suppressed in --json mode). */
  line(text: string): void;
  /** A JSON value as one line on stdout (only in --json mode). */
  json(value: unknown): void;
  /** A warning or notice on stderr (both modes). */
  notice(text: string): void;
  /** Progress: a bar in a terminal, plain lines otherwise, JSON lines with --json (`{"progress":…}`). */
  progress(update: ProgressUpdate): void;
  /** Ends any progress bar line. */
  endProgress(): void;
}

// C0 controls but newline and tab, DEL, and C1 controls (a lone 0x9b starts a CSI sequence on many terminals).
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const escapeControl = (char: string) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;

/**
 * Text that cannot drive a terminal: control characters (escape sequences that clear the screen, move the
 * cursor or set the title, carriage returns that overwrite a line) are shown escaped as `\xNN`.
 */
export function terminalSafe(text: string): string {
  return text.replace(CONTROLS, escapeControl);
}

/** A value from the data (a session name) on one line: newlines and tabs escaped too, so it cannot fake lines. */
export function oneLine(text: string): string {
  return terminalSafe(text).replace(/[\n\t]/g, escapeControl);
}

function formatEta(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "--:--";
  const s = Math.round(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

export function createOutput(options: {
  readonly json: boolean;
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable;
  readonly now?: () => number;
}): Output {
  const { json, stdout, stderr } = options;
  const now = options.now ?? (() => performance.now());
  const tty = stdout.isTTY === true && !json;
  let barOpen = false;
  let lastStage = "";
  let stageStarted = 0;
  let lastPlain = -1;
  // `stint list | head -2`: the reader left, which is no error of ours; stop writing quietly.
  let closed = false;
  const quiet = (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") closed = true;
  };
  stdout.on?.("error", quiet);
  stderr.on?.("error", quiet);
  const write = (stream: Writable, text: string) => {
    if (closed) return;
    try {
      stream.write(text);
    } catch (error) {
      quiet(error as NodeJS.ErrnoException);
    }
  };
  const endBar = () => {
    if (barOpen) write(stdout, "\n");
    barOpen = false;
  };
  return {
    line(text) {
      if (json) return;
      endBar();
      write(stdout, `${terminalSafe(text)}\n`);
    },
    json(value) {
      if (json) write(stdout, `${JSON.stringify(value)}\n`);
    },
    notice(text) {
      endBar();
      write(stderr, `${terminalSafe(text)}\n`);
    },
    progress(update) {
      const fraction = Math.min(1, Math.max(0, update.fraction));
      if (update.stage !== lastStage) {
        lastStage = update.stage;
        stageStarted = now();
        lastPlain = -1;
      }
      const elapsed = now() - stageStarted;
      const eta = fraction > 0.001 ? (elapsed / fraction) * (1 - fraction) : Number.NaN;
      if (json) {
        write(stdout, `${JSON.stringify({ progress: { stage: update.stage, percent: Math.round(fraction * 1000) / 10, etaMs: Number.isFinite(eta) ? Math.round(eta) : null, detail: update.detail } })}\n`);
        return;
      }
      const percent = Math.floor(fraction * 100);
      if (tty) {
        const width = 24;
        const filled = Math.round(fraction * width);
        const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
        const text = `${update.stage.padEnd(12)} ${bar} ${String(percent).padStart(3)}%  ETA ${formatEta(eta)}${update.detail ? `  ${update.detail}` : ""}`;
        write(stdout, `\r${terminalSafe(text).slice(0, (stdout.columns ?? 100) - 1)}\x1b[K`);
        barOpen = true;
        return;
      }
      // Not a terminal: a plain line per 10% step, so logs stay readable.
      const step = Math.floor(percent / 10);
      if (step !== lastPlain) {
        lastPlain = step;
        write(stdout, `${terminalSafe(`${update.stage}: ${percent}%${Number.isFinite(eta) ? ` (ETA ${formatEta(eta)})` : ""}${update.detail ? ` ${update.detail}` : ""}`)}\n`);
      }
    },
    endProgress: endBar,
  };
}
