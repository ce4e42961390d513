import { useEffect, useRef, useState } from "preact/hooks";
import type { RecordingModel } from "../models/recording-model.ts";
import type { ToastModel } from "../models/toast-model.ts";
import { formatOffset } from "./format.ts";

/** Single-key shortcuts, ignored while typing in a field or with a modifier held. */
export function shortcutFor(event: KeyboardEvent): "start" | "pause" | "end" | "marker" | undefined {
  if (event.altKey || event.ctrlKey || event.metaKey) return undefined;
  const target = event.target as HTMLElement | null;
  if (target !== null && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) return undefined;
  switch (event.key.toLowerCase()) {
    case "r":
      return "start";
    case "p":
      return "pause";
    case "e":
      return "end";
    case "m":
      return "marker";
    default:
      return undefined;
  }
}

/** Right after M: name the marker (optional; Enter on an empty field or Escape skips). */
function MarkerName({ model, toasts }: { readonly model: RecordingModel; readonly toasts?: ToastModel }) {
  const marker = model.lastMarker.value;
  const [text, setText] = useState("");
  if (marker === undefined) return null;
  const finish = async (label: string) => {
    setText("");
    const named = await model.nameMarker(label);
    toasts?.show({ text: named ? `Marker “${label.trim()}” at ${formatOffset(marker.t)}` : `Marker added at ${formatOffset(marker.t)}` });
  };
  return (
    <form
      class="marker-name"
      onSubmit={(e) => {
        e.preventDefault();
        void finish(text);
      }}
      data-testid="marker-name"
    >
      <input
        aria-label={`Name the marker at ${formatOffset(marker.t)} (optional)`}
        placeholder={`Marker at ${formatOffset(marker.t)}: name it, or Enter`}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            void finish("");
          }
        }}
        ref={(el) => el?.focus()}
      />
    </form>
  );
}

export function RecordingControls({ model, toasts }: { readonly model: RecordingModel; readonly toasts?: ToastModel }) {
  const phase = model.phase.value;
  const busy = model.busy.value;
  const available = model.available.value;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const action = shortcutFor(event);
      if (action === undefined || model.available.peek() !== "yes") return;
      const current = model.phase.peek();
      if (action === "start" && current === "idle") void model.start();
      else if (action === "pause" && current !== "idle") void (current === "paused" ? model.resume() : model.pause());
      else if (action === "end" && current !== "idle") void model.end();
      else if (action === "marker" && current === "recording") void model.marker();
      else return;
      event.preventDefault();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [model]);

  // The button pressed was replaced (Record → Pause, Pause → Resume): keep keyboard focus in the controls.
  // The new buttons stay disabled until the request settles, so focus moves once one is enabled.
  const refocus = useRef(false);
  const lastPhase = useRef(phase);
  if (lastPhase.current !== phase) {
    lastPhase.current = phase;
    refocus.current = true;
  }
  useEffect(() => {
    if (!refocus.current) return;
    const active = document.activeElement;
    if (active !== null && active !== document.body) {
      refocus.current = false;
      return;
    }
    const button = document.querySelector<HTMLElement>("[data-testid=recording-controls] button:not([disabled])");
    if (button !== null) {
      button.focus();
      refocus.current = false;
    }
  }, [phase, busy]);

  if (available === "checking") return <div class="recording" aria-live="polite">Checking the recorder…</div>;
  if (available === "no") {
    return (
      <div class="recording recording-unavailable" role="status" data-testid="recording-unavailable">
        Recording is not available here: this engine has no session feature{model.error.value ? ` (${model.error.value.message})` : ""}.
      </div>
    );
  }
  return (
    <div class="recording" role="group" aria-label="Recording controls" data-testid="recording-controls" data-phase={phase}>
      <span class={`rec-dot rec-${phase}`} aria-hidden="true" />
      <span class="elapsed" aria-label="Elapsed time" data-testid="elapsed" role="timer">
        {formatOffset(model.elapsedMs.value)}
      </span>
      <span class="sr-only" aria-live="polite">
        {phase === "idle" ? "Not recording" : phase === "paused" ? "Recording paused" : "Recording"}
      </span>
      {phase === "idle" ? (
        <button type="button" class="button button-primary" onClick={() => void model.start()} disabled={busy !== undefined} aria-keyshortcuts="R" data-testid="rec-start">
          ● Record <kbd>R</kbd>
        </button>
      ) : (
        <>
          {phase === "paused" ? (
            <button type="button" class="button" onClick={() => void model.resume()} disabled={busy !== undefined} aria-keyshortcuts="P" data-testid="rec-resume">
              Resume <kbd>P</kbd>
            </button>
          ) : (
            <button type="button" class="button" onClick={() => void model.pause()} disabled={busy !== undefined} aria-keyshortcuts="P" data-testid="rec-pause">
              Pause <kbd>P</kbd>
            </button>
          )}
          <button type="button" class="button" onClick={() => void model.marker()} disabled={busy !== undefined || phase !== "recording"} aria-keyshortcuts="M" data-testid="rec-marker">
            Mark <kbd>M</kbd>
          </button>
          <button type="button" class="button button-danger" onClick={() => void model.end()} disabled={busy !== undefined} aria-keyshortcuts="E" data-testid="rec-end">
            End <kbd>E</kbd>
          </button>
        </>
      )}
      {busy !== undefined && <span class="muted">{busy}…</span>}
      {model.error.value !== undefined && (
        <span class="inline-error" role="alert">
          {model.error.value.what} failed: {model.error.value.message}
        </span>
      )}
      <MarkerName model={model} {...(toasts === undefined ? {} : { toasts })} />
      {model.warnings.value.length > 0 && (
        <ul class="health" aria-label="Capture warnings" data-testid="health-warnings">
          {model.warnings.value.map((w) => (
            <li key={w.source} class={`health-${w.level}`} role="alert">
              {w.message}
              <button type="button" class="link" onClick={() => model.dismissWarning(w.source)} aria-label={`Dismiss the ${w.source} warning`}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
