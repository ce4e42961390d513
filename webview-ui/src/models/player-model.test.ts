import { describe, expect, it } from "vitest";
import type { SessionDetail } from "../bridge/api.ts";
import { createBridgeClient } from "../bridge/client.ts";
import { createPlayerModel, type MediaElement } from "./player-model.ts";

const digest = (n: number) => n.toString(16).padStart(64, "0");

function detail(segments: number, video = false): SessionDetail {
  return {
    session: { id: "s", name: "s", status: "completed", startedAt: 0, durationMs: segments * 30_000, sizeBytes: 0, tags: [], enrichment: { state: "none", totalCostUsd: 0 }, screenshotCount: 2, audioSegmentCount: segments },
    timeline: [
      { kind: "screenshot", id: "a", t: 0, blob: digest(100) },
      { kind: "screenshot", id: "b", t: 40_000, blob: digest(101) },
    ],
    tasks: [],
    notes: [],
    cost: { totalUsd: 0, lines: [] },
    integrity: { ok: true, problems: [] },
    media: { audio: Array.from({ length: segments }, (_, index) => ({ index, t: index * 30_000, durationMs: 30_000, blob: digest(index), mimeType: "audio/wav" })), ...(video ? { video: { blob: digest(999), mimeType: "video/mp4", durationMs: segments * 30_000 } } : {}) },
  };
}

function fakeMedia() {
  const listeners = new Map<string, () => void>();
  const media = {
    src: "",
    currentTime: 0,
    paused: true,
    plays: 0,
    play() {
      this.paused = false;
      this.plays++;
    },
    pause() {
      this.paused = true;
    },
    addEventListener: (type: string, fn: () => void) => void listeners.set(type, fn),
    removeEventListener: (type: string) => void listeners.delete(type),
    fire: (type: string) => listeners.get(type)?.(),
  };
  return media;
}

function client() {
  const c = createBridgeClient();
  c.attach({ name: "local", post: async () => undefined, blobUrl: async (d) => `/blobs/${d}`, close: () => undefined });
  return c;
}

/** A segment fetcher whose loads the test completes by hand. */
function manualFetch() {
  const pending = new Map<string, (url: string) => void>();
  return {
    fetchSegment: (url: string) => new Promise<string>((resolve) => pending.set(url, resolve)),
    pending,
    finish(n: number) {
      const url = `/blobs/${digest(n)}`;
      pending.get(url)?.(`blob:${n}`);
      pending.delete(url);
    },
    fetched: () => [...pending.keys()].map((u) => Number.parseInt(u.slice(7), 16)),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("player model", () => {
  it("spans what a session still recording has captured, though its stored duration is still 0", () => {
    const live = detail(2);
    const recording = { ...live, session: { ...live.session, status: "active" as const, durationMs: 0 } };
    expect(createPlayerModel({ client: client(), detail: recording }).duration).toBe(60_000);
    const shotsOnly = { ...recording, media: { audio: [] } };
    expect(createPlayerModel({ client: client(), detail: shotsOnly }).duration).toBe(40_000);
  });

  it("loads the first 3 segments before play, then the rest 2 at a time, and plays through", async () => {
    const loader = manualFetch();
    const player = createPlayerModel({ client: client(), detail: detail(8), fetchSegment: loader.fetchSegment });
    const media = fakeMedia();
    player.attach(media as unknown as MediaElement);
    await tick();
    expect(player.mode).toBe("audio");
    expect(loader.fetched().sort()).toEqual([0, 1, 2]);
    player.play();
    expect(player.buffering.value).toBe(true);
    expect(media.plays).toBe(0);
    for (const n of [0, 1, 2]) loader.finish(n);
    await tick();
    await tick();
    expect(player.buffering.value).toBe(false);
    expect(media.src).toBe("blob:0");
    expect(media.plays).toBe(1);
    expect(loader.fetched().sort()).toEqual([3, 4]);
    media.currentTime = 12;
    media.fire("timeupdate");
    expect(player.time.value).toBe(12_000);
    media.fire("ended");
    expect(media.src).toBe("blob:1");
    expect(player.time.value).toBe(30_000);
    expect(player.frame.value?.id).toBe("a");
    player.dispose();
  });

  it("seeks into a segment, following the slideshow frame", async () => {
    const loader = manualFetch();
    const player = createPlayerModel({ client: client(), detail: detail(8), fetchSegment: loader.fetchSegment });
    const media = fakeMedia();
    player.attach(media as unknown as MediaElement);
    await tick();
    player.seek(95_000);
    expect(player.time.value).toBe(95_000);
    expect(player.frame.value?.id).toBe("b");
    await tick();
    expect(loader.fetched()).toContain(3);
    player.seek(-5);
    expect(player.time.value).toBe(0);
    player.seek(10_000_000);
    expect(player.time.value).toBe(240_000);
    player.dispose();
  });

  it("reports a segment that fails to load instead of buffering forever", async () => {
    const player = createPlayerModel({ client: client(), detail: detail(2), fetchSegment: async () => Promise.reject(new Error("404")) });
    player.attach(fakeMedia() as unknown as MediaElement);
    player.play();
    await tick();
    await tick();
    expect(player.error.value).toMatch(/could not be loaded \(404\)/);
    expect(player.buffering.value).toBe(false);
    player.dispose();
  });

  it("uses the merged video when there is one, and a timed slideshow when there is no media", async () => {
    const video = createPlayerModel({ client: client(), detail: detail(2, true) });
    const media = fakeMedia();
    video.attach(media as unknown as MediaElement);
    await tick();
    expect(video.mode).toBe("video");
    expect(media.src).toBe(`/blobs/${digest(999)}`);
    video.seek(42_000);
    expect(media.currentTime).toBe(42);
    video.dispose();
    const noMedia = detail(0);
    const silent = createPlayerModel({ client: client(), detail: { ...noMedia, session: { ...noMedia.session, durationMs: 60_000 } }, tickMs: 5 });
    expect(silent.mode).toBe("slideshow");
    silent.play();
    for (let i = 0; i < 200 && silent.time.value === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(silent.time.value).toBeGreaterThan(0);
    silent.pause();
    const paused = silent.time.value;
    await new Promise((r) => setTimeout(r, 20));
    expect(silent.time.value).toBe(paused);
    silent.dispose();
  });
});
