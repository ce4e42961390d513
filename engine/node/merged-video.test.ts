import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCliIn } from "./cli-capture.ts";
import { enrichCommand } from "./commands/enrich.ts";
import { recordCommand } from "./commands/record.ts";
import { verifyCommand } from "./commands/storage-command-set.ts";
import { hasTool } from "./simulated-recorder/index.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const commands = [recordCommand, enrichCommand, verifyCommand];

interface VideoFile {
  segments: { attachmentId: string }[];
  merged?: { attachmentId: string; mimeType: string; hasAudio: boolean };
  durationMs: number;
}

describe.skipIf(!hasTool("ffmpeg"))("the merged video (stint record --video, then enrich)", () => {
  it("is adopted into the attachment store, set on the video record, counted in the session's size and referenced by it", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "stint-merged-"));
    dirs.push(dataDir);
    const recorded = await runCliIn(dataDir, commands, ["record", "--duration", "30s", "--video", "--speed", "max", "--no-speech", "--json"]);
    expect(recorded.code, recorded.err).toBe(0);
    const sessionId = String(recorded.last().sessionId);
    const videoPath = join(dataDir, "videos", `${sessionId}.json`);
    const before = JSON.parse(readFileSync(videoPath, "utf8")) as VideoFile;
    expect(before.segments.length).toBe(3);
    expect(before.merged).toBeUndefined();

    const enriched = await runCliIn(dataDir, commands, ["enrich", sessionId, "--provider", "local"]);
    expect(enriched.code, enriched.err).toBe(0);

    const video = JSON.parse(readFileSync(videoPath, "utf8")) as VideoFile;
    expect(video.merged).toMatchObject({ mimeType: "video/mp4", hasAudio: true });
    const mergedId = video.merged!.attachmentId;
    const blob = join(dataDir, "attachments", "blobs", `${mergedId}.dat`);
    // Adopted by rename: the output left media/ and is the blob, whole and playable.
    expect(existsSync(join(dataDir, "media", sessionId, "merged.mp4"))).toBe(false);
    const probe = spawnSync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", blob], { encoding: "utf8" });
    expect(probe.stdout.trim().split("\n").sort()).toEqual(["audio", "video"]);
    // Data-folder permissions hold for what ffmpeg wrote too: files 0600, folders 0700.
    expect(statSync(blob).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, "media", sessionId)).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, "media", sessionId, "audio.wav")).mode & 0o777).toBe(0o600);
    const attachment = JSON.parse(readFileSync(join(dataDir, "attachments", "metadata", `${mergedId}.json`), "utf8")) as { referencedBy: string[]; size: number; type: string };
    expect(attachment).toMatchObject({ referencedBy: [sessionId], type: "video", size: statSync(blob).size });

    // The size counts every blob the session references once: screenshots, audio, segments and the merged file.
    const metadata = JSON.parse(readFileSync(join(dataDir, "sessions", "metadata", `${sessionId}.json`), "utf8")) as { sizeBytes: number; hasVideo: boolean };
    const segmentBytes = before.segments.reduce((sum, s) => sum + statSync(join(dataDir, "attachments", "blobs", `${s.attachmentId}.dat`)).size, 0);
    expect(metadata.hasVideo).toBe(true);
    expect(metadata.sizeBytes).toBeGreaterThanOrEqual(attachment.size + segmentBytes);

    const verified = await runCliIn(dataDir, commands, ["verify", "--json"]);
    expect(verified.code, verified.out + verified.err).toBe(0);
    expect(verified.last()).toMatchObject({ problems: [] });
  }, 180_000);
});
