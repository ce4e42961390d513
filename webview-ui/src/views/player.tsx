import { useEffect, useRef, useState } from "preact/hooks";
import type { ChapterView } from "../../../engine/src/review/models.ts";
import { frameAtTime } from "../../../engine/src/review/models.ts";
import type { BridgeClient } from "../bridge/client.ts";
import type { MediaElement, PlayerModel } from "../models/player-model.ts";
import { formatOffset } from "./format.ts";
import { Thumb } from "./thumb.tsx";

/** The scrubber with the chapters marked on it and the screen at the pointer shown while hovering. */
function Scrubber({ model, client, chapters, onScrub }: { readonly model: PlayerModel; readonly client: BridgeClient; readonly chapters: readonly ChapterView[]; readonly onScrub?: () => void }) {
  const time = model.time.value;
  const [hover, setHover] = useState<{ readonly t: number; readonly x: number } | undefined>(undefined);
  const duration = Math.max(1, model.duration);
  const onMove = (event: PointerEvent) => {
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    const fraction = Math.min(1, Math.max(0, (event.clientX - box.left) / Math.max(1, box.width)));
    setHover({ t: fraction * model.duration, x: fraction });
  };
  const frame = hover === undefined ? undefined : frameAtTime(model.frames.value, hover.t);
  return (
    <div class="scrubber-wrap" onPointerMove={onMove} onPointerLeave={() => setHover(undefined)}>
      <input
        type="range"
        class="scrubber"
        min={0}
        max={model.duration}
        step={1000}
        value={time}
        aria-label="Play position"
        aria-valuetext={formatOffset(time)}
        onInput={(e) => {
          onScrub?.();
          model.seek(Number(e.currentTarget.value));
        }}
        data-testid="scrubber"
      />
      <div class="ticks" aria-hidden="true" data-testid="chapter-ticks">
        {chapters.map((chapter) => (
          <span key={chapter.id} class="tick" style={{ left: `${(chapter.t / duration) * 100}%` }} title={chapter.title} />
        ))}
      </div>
      {hover !== undefined && (
        <div class="scrub-preview" style={{ left: `${hover.x * 100}%` }} aria-hidden="true" data-testid="scrub-preview">
          {frame !== undefined && <Thumb client={client} digest={frame.blob} alt="" width={128} height={80} />}
          <span>{formatOffset(hover.t)}</span>
        </div>
      )}
    </div>
  );
}

/** The compact player: the screen (or video), play/pause, the scrubber and the time. */
export function Player({ model, client, chapters = [], onScrub }: { readonly model: PlayerModel; readonly client: BridgeClient; readonly chapters?: readonly ChapterView[]; readonly onScrub?: () => void }) {
  const media = useRef<HTMLMediaElement>(null);
  useEffect(() => {
    if (media.current === null) return;
    return model.attach(media.current as unknown as MediaElement);
  }, [model]);
  const time = model.time.value;
  const frame = model.frame.value;
  const loads = model.loads.value;
  const loaded = loads.filter((l) => l === "loaded").length;
  return (
    <div class="player" role="group" aria-label="Player" data-testid="player" data-mode={model.mode}>
      {model.mode === "video" ? (
        <video ref={media as preact.RefObject<HTMLVideoElement>} class="player-video" playsInline preload="metadata" aria-label="Session video" />
      ) : (
        <div class="player-frame">
          {frame !== undefined ? <Thumb client={client} digest={frame.blob} alt={`Screen at ${formatOffset(frame.t)}`} width={480} height={300} className="frame" /> : <span class="frame frame-empty">No screenshots</span>}
          <audio ref={media as preact.RefObject<HTMLAudioElement>} preload="none" />
        </div>
      )}
      <div class="player-bar">
        <button type="button" class="button play" onClick={() => model.toggle()} aria-label={model.playing.value ? "Pause playback" : "Play"} data-testid="play">
          {model.playing.value ? "❚❚" : "▶"}
        </button>
        <Scrubber model={model} client={client} chapters={chapters} {...(onScrub === undefined ? {} : { onScrub })} />
        <span class="player-time" data-testid="player-time" data-ms={Math.round(time)}>
          {formatOffset(time)} / {formatOffset(model.duration)}
        </span>
      </div>
      <div class="player-status" aria-live="polite">
        {model.buffering.value && <span>Loading audio…</span>}
        {model.mode === "audio" && (
          <span class="muted">
            Audio: {loaded} of {loads.length} segments loaded
          </span>
        )}
        {model.mode === "slideshow" && <span class="muted">No audio: the screenshots play as a slideshow.</span>}
        {model.error.value !== undefined && (
          <span class="inline-error" role="alert">
            {model.error.value}
          </span>
        )}
      </div>
    </div>
  );
}
