import { computed, signal } from "@preact/signals";
import type { SessionDetail } from "../bridge/api.ts";
import type { BridgeClient } from "../bridge/client.ts";
import { canStartPlayback, frameAtTime, locateSegment, nextLoads, slideshowFrames, type SegmentLoad } from "../../../engine/src/review/models.ts";
import { createDisposer } from "./async-state.ts";

/** The bits of an HTMLMediaElement the player drives (an injected fake in tests). */
export interface MediaElement {
  src: string;
  currentTime: number;
  readonly paused: boolean;
  play(): Promise<void> | void;
  pause(): void;
  addEventListener(type: "timeupdate" | "ended" | "error", listener: () => void): void;
  removeEventListener(type: "timeupdate" | "ended" | "error", listener: () => void): void;
}

export type PlayerMode = "video" | "audio" | "slideshow";

export interface PlayerOptions {
  readonly client: BridgeClient;
  readonly detail: SessionDetail;
  /** Fetches a segment and returns a playable URL (an object URL by default). */
  readonly fetchSegment?: (url: string) => Promise<string>;
  /** Slideshow clock resolution when there is no media to follow. */
  readonly tickMs?: number;
}

/** Fetches a segment into an object URL; gives up after 20 s so the player never buffers forever. */
async function defaultFetchSegment(url: string): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 20_000);
  try {
    const response = await fetch(url, { signal: controller.signal });
    if (!response.ok) throw new Error(`segment answered ${response.status}`);
    return URL.createObjectURL(await response.blob());
  } catch (error) {
    throw controller.signal.aborted ? new Error("timed out after 20 s") : error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One player for a session: the merged video when present, else progressive
 * audio segments, else a silent slideshow; the screenshot shown always follows
 * the play head.
 */
export function createPlayerModel(options: PlayerOptions) {
  const { client, detail } = options;
  const segments = detail.media.audio;
  const mode: PlayerMode = detail.media.video !== undefined ? "video" : segments.length > 0 ? "audio" : "slideshow";
  const frames = signal(slideshowFrames(detail.timeline));
  // A session still recording has a stored duration of 0 until it pauses or ends: it is as long as what it captured so far.
  const lastAudio = segments.at(-1);
  const duration = Math.max(detail.session.durationMs, detail.media.video?.durationMs ?? 0, detail.timeline.at(-1)?.t ?? 0, lastAudio === undefined ? 0 : lastAudio.t + lastAudio.durationMs);
  const time = signal(0);
  const playing = signal(false);
  const buffering = signal(false);
  const error = signal<string | undefined>(undefined);
  const loads = signal<SegmentLoad[]>(segments.map(() => "idle"));
  const current = signal(0);
  const frame = computed(() => frameAtTime(frames.value, time.value));
  const segmentUrls = new Map<number, string>();
  const disposer = createDisposer();
  const fetchSegment = options.fetchSegment ?? defaultFetchSegment;
  let media: MediaElement | undefined;
  let disposed = false;
  let ticker: ReturnType<typeof setInterval> | undefined;

  function setLoad(index: number, load: SegmentLoad): void {
    const next = [...loads.peek()];
    next[index] = load;
    loads.value = next;
  }

  /** Background loading starts with the first play; before that only the first segments are fetched. */
  let started = false;
  /** True while playback runs on from one segment into the next (a stall there waits for that segment only). */
  let continuing = false;

  function pump(): void {
    if (mode !== "audio" || disposed) return;
    const plan = { segments, loads: loads.peek(), current: current.peek() };
    if (!started && canStartPlayback(plan)) return;
    for (const index of nextLoads(plan)) {
      const segment = segments[index];
      if (segment === undefined) continue;
      setLoad(index, "loading");
      void (async () => {
        try {
          const url = await client.blobUrl(segment.blob);
          if (url === undefined) throw new Error("attachment missing");
          const playable = await fetchSegment(url);
          if (disposed) return;
          segmentUrls.set(index, playable);
          setLoad(index, "loaded");
        } catch (cause) {
          if (disposed) return;
          setLoad(index, "failed");
          error.value = `Audio segment ${index + 1} could not be loaded (${cause instanceof Error ? cause.message : String(cause)}).`;
        }
        if (buffering.peek()) startSegment(current.peek(), time.peek() - (segments[current.peek()]?.t ?? 0), continuing);
        pump();
      })();
    }
  }

  /** Plays segment `index`; starting (or restarting after a seek) waits for the first segments, continuing only for this one. */
  function startSegment(index: number, offsetMs: number, continuing = false): void {
    if (media === undefined) return;
    const url = segmentUrls.get(index);
    if (url === undefined || (!continuing && !canStartPlayback({ segments, loads: loads.peek(), current: index }))) {
      buffering.value = loads.peek()[index] !== "failed";
      return;
    }
    buffering.value = false;
    if (media.src !== url) media.src = url;
    media.currentTime = Math.max(0, offsetMs / 1000);
    if (playing.peek()) void Promise.resolve(media.play()).catch((cause: unknown) => {
      playing.value = false;
      error.value = `Playback was blocked (${cause instanceof Error ? cause.message : String(cause)}).`;
    });
  }

  const onTime = () => {
    if (media === undefined) return;
    if (mode === "video") time.value = media.currentTime * 1000;
    else if (mode === "audio") time.value = (segments[current.peek()]?.t ?? 0) + media.currentTime * 1000;
  };
  const onEnded = () => {
    if (mode === "video") {
      playing.value = false;
      return;
    }
    const next = current.peek() + 1;
    if (next >= segments.length) {
      playing.value = false;
      return;
    }
    current.value = next;
    time.value = segments[next]?.t ?? time.peek();
    continuing = true;
    pump();
    startSegment(next, 0, true);
  };
  const onError = () => {
    error.value = mode === "video" ? "The video could not be played." : `Audio segment ${current.peek() + 1} could not be played.`;
  };

  function stopTicker(): void {
    if (ticker !== undefined) clearInterval(ticker);
    ticker = undefined;
  }

  const model = {
    mode,
    duration,
    time,
    playing,
    buffering,
    error,
    loads,
    frame,
    frames,
    /** The whole timeline once its later pages arrived: the slideshow follows every screenshot. */
    setTimeline(items: readonly SessionDetail["timeline"][number][]): void {
      frames.value = slideshowFrames(items);
    },
    /** Connects the element the view rendered (a <video> or <audio>); returns its cleanup. */
    attach(element: MediaElement): () => void {
      media = element;
      element.addEventListener("timeupdate", onTime);
      element.addEventListener("ended", onEnded);
      element.addEventListener("error", onError);
      if (mode === "video" && detail.media.video !== undefined) {
        void client.blobUrl(detail.media.video.blob).then((url) => {
          if (url !== undefined && media === element) element.src = url;
        });
      }
      pump();
      return () => {
        element.removeEventListener("timeupdate", onTime);
        element.removeEventListener("ended", onEnded);
        element.removeEventListener("error", onError);
        element.pause();
        if (media === element) media = undefined;
      };
    },
    play(): void {
      error.value = undefined;
      playing.value = true;
      started = true;
      if (mode === "slideshow") {
        stopTicker();
        const tick = options.tickMs ?? 250;
        ticker = setInterval(() => {
          const next = time.peek() + tick;
          if (next >= duration) {
            time.value = duration;
            playing.value = false;
            stopTicker();
          } else time.value = next;
        }, tick);
        return;
      }
      if (mode === "video") {
        void Promise.resolve(media?.play()).catch(() => {
          playing.value = false;
          error.value = "Playback was blocked by the browser.";
        });
        return;
      }
      startSegment(current.peek(), time.peek() - (segments[current.peek()]?.t ?? 0));
      pump();
    },
    pause(): void {
      playing.value = false;
      buffering.value = false;
      stopTicker();
      media?.pause();
    },
    toggle(): void {
      if (playing.peek()) model.pause();
      else model.play();
    },
    /** Moves the play head; playback continues from there if it was playing. */
    seek(t: number): void {
      continuing = false;
      const clamped = Math.min(Math.max(0, t), duration);
      time.value = clamped;
      if (mode === "video") {
        if (media !== undefined) media.currentTime = clamped / 1000;
        return;
      }
      if (mode === "audio") {
        const located = locateSegment(segments, clamped);
        if (located === undefined) return;
        current.value = located.index;
        pump();
        if (playing.peek()) startSegment(located.index, located.offsetMs);
        else if (media !== undefined && segmentUrls.has(located.index)) {
          media.src = segmentUrls.get(located.index) as string;
          media.currentTime = located.offsetMs / 1000;
        }
      }
    },
    dispose(): void {
      disposed = true;
      stopTicker();
      media?.pause();
      for (const url of segmentUrls.values()) if (url.startsWith("blob:")) URL.revokeObjectURL(url);
      segmentUrls.clear();
      disposer.dispose();
    },
  };
  return model;
}
export type PlayerModel = ReturnType<typeof createPlayerModel>;
