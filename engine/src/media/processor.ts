import { EngineError } from "../bridge/index.ts";
import type { HostPort } from "../host/index.ts";
import { concatWavFiles } from "./concat.ts";

/** Where media processing stands, as `media.progress` reports it. */
export interface MediaProgress {
  readonly sessionId: string;
  readonly stage: "concat" | "merge" | "done" | "skipped";
  /** 0–1: concatenation is the first half, the merge the second. */
  readonly progress: number;
  readonly detail?: string;
}

export interface MediaInput {
  readonly sessionId: string;
  /** WAV segments in order. */
  readonly audio: readonly string[];
  /** Video segments in order. */
  readonly video: readonly string[];
  /** Folder for the outputs (relative to the data directory). */
  readonly outputDir: string;
  /** Expected length of the merged video (the segments' durations), for merge progress. */
  readonly videoDurationMs?: number;
}

export interface MediaResult {
  readonly status: "done" | "skipped";
  readonly audioPath?: string;
  readonly mergedPath?: string;
  /** The merged file's digest and size, as the host wrote it (for adopting it into the attachment store). */
  readonly merged?: { readonly path: string; readonly sha256: string; readonly size: number; readonly hasAudio: boolean };
  readonly detail?: string;
  readonly durationMs?: number;
}

/**
 * Stage 1 concatenates the session's WAV segments (0–50%), through the
 * host's media capability when it has one, else streamed over the files
 * port. Stage 2 merges video and audio (50–100%) through `host.media`
 * (AVFoundation on the Mac, ffmpeg in Node); without it the merge is
 * skipped with a clear status.
 */
export class BackgroundMediaProcessor {
  constructor(private readonly host: HostPort, private readonly emit: (method: string, params: unknown) => void) {}

  private report(progress: MediaProgress): void {
    this.emit("media.progress", progress);
  }

  async process(input: MediaInput, signal?: AbortSignal): Promise<MediaResult> {
    const { sessionId } = input;
    const check = () => {
      if (signal?.aborted) throw new EngineError("enrichment.cancelled", "media processing cancelled");
    };
    let audioPath: string | undefined;
    let durationMs: number | undefined;
    const notes: string[] = [];
    if (input.audio.length > 0) {
      audioPath = `${input.outputDir}/audio.wav`;
      this.report({ sessionId, stage: "concat", progress: 0 });
      check();
      if (this.host.media !== undefined) {
        await this.host.media.concatAudio(input.audio, audioPath);
      } else {
        const result = await concatWavFiles(this.host.files, input.audio, audioPath, {
          signal,
          crypto: this.host.crypto,
          onProgress: ({ done, total }) => this.report({ sessionId, stage: "concat", progress: (done / total) * 0.5 }),
        });
        durationMs = result.durationMs;
      }
      this.report({ sessionId, stage: "concat", progress: 0.5 });
    } else {
      notes.push("no audio");
    }
    check();
    let mergedPath: string | undefined;
    let merged: MediaResult["merged"];
    if (input.video.length === 0) {
      notes.push("no video to merge");
    } else if (this.host.media === undefined) {
      notes.push("video merge skipped: this host has no media capability (ffmpeg or AVFoundation)");
    } else {
      this.report({ sessionId, stage: "merge", progress: 0.5 });
      mergedPath = `${input.outputDir}/merged.mp4`;
      let reported = 0;
      const onProgress = (fraction: number) => {
        // A fallback re-encode starts counting again: progress never goes back.
        if (!(fraction > reported) || fraction > 1) return;
        reported = fraction;
        this.report({ sessionId, stage: "merge", progress: 0.5 + fraction * 0.5 });
      };
      const written = await this.host.media.mergeVideoAudio(input.video, audioPath, mergedPath, { durationMs: input.videoDurationMs, onProgress });
      merged = { path: mergedPath, sha256: written.sha256, size: written.size, hasAudio: audioPath !== undefined };
    }
    const status = audioPath === undefined && mergedPath === undefined ? "skipped" : "done";
    const detail = notes.length > 0 ? notes.join("; ") : undefined;
    this.report({ sessionId, stage: status === "done" ? "done" : "skipped", progress: 1, detail });
    return { status, audioPath, mergedPath, merged, detail, durationMs };
  }
}
