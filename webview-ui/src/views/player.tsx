import { useEffect, useRef } from "preact/hooks";
import type { BridgeClient } from "../bridge/client.ts";
import type { MediaElement, PlayerModel } from "../models/player-model.ts";
import { formatOffset } from "./format.ts";
import { Thumb } from "./thumb.tsx";

export function Player({ model, client }: { readonly model: PlayerModel; readonly client: BridgeClient }) {
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
        <button type="button" class="button" onClick={() => model.toggle()} aria-label={model.playing.value ? "Pause playback" : "Play"} data-testid="play">
          {model.playing.value ? "❚❚" : "▶"}
        </button>
        <input
          type="range"
          class="scrubber"
          min={0}
          max={model.duration}
          step={1000}
          value={time}
          aria-label="Play position"
          aria-valuetext={formatOffset(time)}
          onInput={(e) => model.seek(Number(e.currentTarget.value))}
        />
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
        {model.mode === "slideshow" && <span class="muted">No audio or video: the screenshots play as a slideshow.</span>}
        {model.error.value !== undefined && (
          <span class="inline-error" role="alert">
            {model.error.value}
          </span>
        )}
      </div>
    </div>
  );
}
