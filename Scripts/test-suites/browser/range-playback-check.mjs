// Chromium's media element against the dev server's blob route: a 5-minute WAV is seeked near its end,
// and the bytes come as a 206 range from the middle of the file, not as the whole blob.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, startServer, waitFor } from "./support.mjs";

/** A 16-bit stereo 48 kHz WAV of `seconds` (a soft tone, so the bytes are not all zero). */
function wav(seconds) {
  const rate = 48_000;
  const data = seconds * rate * 4;
  const bytes = Buffer.alloc(44 + data);
  bytes.write("RIFF", 0, "ascii");
  bytes.writeUInt32LE(36 + data, 4);
  bytes.write("WAVEfmt ", 8, "ascii");
  bytes.writeUInt32LE(16, 16);
  bytes.writeUInt16LE(1, 20);
  bytes.writeUInt16LE(2, 22);
  bytes.writeUInt32LE(rate, 24);
  bytes.writeUInt32LE(rate * 4, 28);
  bytes.writeUInt16LE(4, 32);
  bytes.writeUInt16LE(16, 34);
  bytes.write("data", 36, "ascii");
  bytes.writeUInt32LE(data, 40);
  for (let i = 44; i < bytes.length; i += 4) {
    const sample = Math.round(Math.sin(((i - 44) / 4) * 0.05) * 2000);
    bytes.writeInt16LE(sample, i);
    bytes.writeInt16LE(sample, i + 2);
  }
  return bytes;
}

export async function rangePlaybackCheck({ run, page, cleanups }) {
  const dataDir = mkdtempSync(join(tmpdir(), "stint-range-"));
  const bytes = wav(300);
  const digest = createHash("sha256").update(bytes).digest("hex");
  mkdirSync(join(dataDir, "attachments", "blobs"), { recursive: true });
  writeFileSync(join(dataDir, "attachments", "blobs", `${digest}.dat`), bytes);
  const server = await startServer({ demo: false, dataDir });
  cleanups.push(() => server.stop());

  await run.check("the media element seeks within a blob served in ranges: a 206 from the middle of the file, not the whole blob", async () => {
    const served = [];
    const onResponse = (response) => {
      if (!response.url().includes(`/blobs/${digest}`)) return;
      const request = response.request().headers();
      served.push({ status: response.status(), range: request.range ?? "", contentRange: response.headers()["content-range"] ?? "" });
    };
    page.on("response", onResponse);
    try {
      await page.goto(server.url);
      const src = `${server.base}/blobs/${digest}?token=${server.token}`;
      // Create, load and seek in one script; the result is read back by polling the element.
      await page.evaluate((url) => {
        const audio = document.createElement("audio");
        audio.id = "range-probe";
        audio.preload = "metadata";
        audio.addEventListener("loadedmetadata", () => {
          audio.currentTime = 290;
        });
        audio.addEventListener("seeked", () => {
          audio.dataset.seeked = String(audio.currentTime);
          void audio.play().catch(() => undefined);
        });
        audio.src = url;
        document.body.append(audio);
      }, src);
      const state = await waitFor(
        () =>
          page.$eval("#range-probe", (audio) =>
            audio.dataset.seeked !== undefined && audio.currentTime > 290.2
              ? { duration: audio.duration, seekedAt: Number(audio.dataset.seeked), now: audio.currentTime, seekable: audio.seekable.length > 0 ? audio.seekable.end(0) : 0 }
              : undefined,
          ),
        { what: "the audio to seek to 290 s and play on from there", timeoutMs: 30_000 },
      );
      assert(Math.abs(state.duration - 300) < 1, `duration ${state.duration}`);
      assert(Math.abs(state.seekable - 300) < 1, `seekable only to ${state.seekable} s: the server's ranges were not used`);
      const fromMiddle = served.filter((entry) => entry.status === 206 && /^bytes (\d+)-/.test(entry.contentRange) && Number(/^bytes (\d+)-/.exec(entry.contentRange)[1]) > bytes.length / 2);
      assert(fromMiddle.length > 0, `no 206 from the second half of the file; served: ${JSON.stringify(served)}`);
      assert(served.every((entry) => entry.status === 206 || entry.status === 304), `a reply other than a range: ${JSON.stringify(served)}`);
      return `${served.length} replies, all 206; seeked to ${state.seekedAt.toFixed(1)} s with ${fromMiddle[0].contentRange}`;
    } finally {
      page.off("response", onResponse);
    }
  });
}
