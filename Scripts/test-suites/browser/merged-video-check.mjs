// A session recorded by `stint record --video` beside a running `stint serve` appears in the open panel
// without a reload; once the owner enriches it, the player plays its merged video (Chromium).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { assert, root, startServer, waitFor } from "./support.mjs";

async function call(server, method, params) {
  const response = await fetch(`${server.base}/bridge`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${server.token}` }, body: JSON.stringify({ v: 1, id: 1, method, params }) });
  return response.json();
}

/** Runs `stint …` against the server's data folder; resolves with its exit code and output. */
function stint(server, args) {
  const child = spawn(process.execPath, [process.env.STINT_TEST_CLI ?? join(root, "dist/cli.js"), ...args, "--data-dir", server.dataDir], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const done = new Promise((resolve) => child.on("close", (code) => resolve({ code, out, err })));
  return { done, running: () => child.exitCode === null };
}

const videoTime = (page) => page.$eval("video.player-video", (v) => v.currentTime * 1000);

export async function mergedVideoCheck({ run, page, cleanups }) {
  const server = await startServer({ demo: false });
  cleanups.push(() => server.stop());

  let sessionId;
  await run.check("stint record beside a running owner: the open panel lists the session while it records, without a reload", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(server.url);
    await waitFor(() => page.$("[data-testid=session-list], [data-testid=first-run], [data-testid=recording-controls]"), { what: "the panel" });
    // A mark on the page's window: a reload would drop it (hash routes inside the panel do not).
    await page.evaluate(() => (window.__sameDocument = true));
    const record = stint(server, ["record", "--name", "Recorded beside the panel", "--duration", "14s", "--video", "--json"]);
    await waitFor(() => page.$(".session-row:has-text('Recorded beside the panel')"), { what: "the recording session in the panel", timeoutMs: 20_000 });
    const seenWhileRecording = record.running();
    const { code, out, err } = await record.done;
    assert(code === 0, `stint record exited ${code}: ${err}`);
    sessionId = JSON.parse(out.trim().split("\n").at(-1)).sessionId;
    assert(await page.evaluate(() => window.__sameDocument === true), "the page reloaded");
    const rows = await call(server, "review.list", {});
    assert(JSON.stringify(rows.result ?? rows).includes(sessionId), "the owner's list has the recorded session");
    return `row appeared ${seenWhileRecording ? "while recording" : "after recording"}, no reload`;
  });

  await run.check("the merged video of a recorded session plays: currentTime advances, and seeking moves it", async () => {
    assert(sessionId !== undefined, "no recorded session");
    // The owner enriches what ends; media processing merges the segments and keeps the MP4 as an attachment.
    const detail = await waitFor(async () => {
      const reply = await call(server, "review.session", { id: sessionId, timelineLimit: 1 });
      const state = reply.result?.session?.enrichment?.state;
      if (state === "failed") throw new Error(`enrichment failed: ${JSON.stringify(reply.result.session.enrichment)}`);
      return reply.result?.media?.video !== undefined ? reply.result : undefined;
    }, { what: "the merged video in the session", timeoutMs: 120_000, intervalMs: 250 });
    await page.goto(`${server.url}#/session/${sessionId}`);
    await page.waitForSelector("video.player-video", { timeout: 10_000 });
    await waitFor(() => page.$eval("video.player-video", (v) => v.readyState >= 1 && v.duration > 5), { what: "the video's metadata" });
    await page.click("[data-testid=play]");
    await waitFor(async () => (await videoTime(page)) > 1000, { what: "the video's currentTime to pass 1 s", timeoutMs: 20_000 });
    await waitFor(async () => Number(await page.getAttribute("[data-testid=player-time]", "data-ms")) > 1000, { what: "the player's clock to follow the video" });
    await page.click("[data-testid=play]");
    const paused = await videoTime(page);
    // Seek with an evidence chip when enrichment made one, else with a timeline row: the video must move there.
    await page.click("[data-testid=tab-summary]");
    let target;
    let how;
    // The chip farthest from where the video stands, found and clicked in one script.
    const chipT = await page.evaluate((at) => {
      const chips = [...document.querySelectorAll("[data-testid=evidence-chip]")];
      const far = chips.map((chip) => ({ chip, t: Number(chip.getAttribute("data-t")) })).sort((a, b) => Math.abs(b.t - at) - Math.abs(a.t - at))[0];
      if (far === undefined || Math.abs(far.t - at) <= 2000) return null;
      far.chip.click();
      return far.t;
    }, paused);
    if (chipT !== null) {
      target = chipT;
      how = "evidence chip";
    } else {
      await page.click("[data-testid=tab-timeline]");
      // Find, read and click the row in one script: the virtualized list re-renders between calls.
      const label = await page.evaluate(() => {
        const rows = [...document.querySelectorAll("[data-testid=timeline] .row-screenshot")];
        const row = rows.at(-1);
        if (row === undefined) return null;
        row.querySelector("button")?.click();
        return row.querySelector(".row-time")?.textContent ?? null;
      });
      assert(label !== null, "no screenshot row in the timeline");
      const parts = label.split(":").map(Number);
      target = parts.reduce((sum, part) => sum * 60 + part, 0) * 1000;
      how = `timeline row ${label}`;
    }
    const moved = await waitFor(async () => {
      const t = await videoTime(page);
      return Math.abs(t - target) < 1500 && Math.abs(t - paused) > 500 ? t : undefined;
    }, { what: `the video to seek (${how}, target ${target} ms, paused at ${Math.round(paused)} ms)` });
    return `merged ${detail.media.video.blob.slice(0, 8)}…, ${Math.round(detail.media.video.durationMs / 1000)} s; played to ${Math.round(paused)} ms; ${how} moved it to ${Math.round(moved)} ms`;
  });
}
