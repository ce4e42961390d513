import { useEffect, useState } from "preact/hooks";
import type { ErrorView } from "../models/async-state.ts";

/** Loading, with a note once it takes long; requests time out, so this ends. */
export function Loading({ label, since }: { readonly label: string; readonly since?: number }) {
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setSlow(true), Math.max(0, 4_000 - (Date.now() - (since ?? Date.now()))));
    return () => clearTimeout(timer);
  }, [since]);
  return (
    <div class="state state-loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      <span>{label}…</span>
      {slow && <span class="muted"> still waiting for the engine; this gives up after 15 s.</span>}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { readonly error: ErrorView; readonly onRetry?: () => void }) {
  return (
    <div class="state state-error" role="alert">
      <strong>{error.what} failed.</strong>
      <span> {error.message}</span>
      <span class="muted"> ({error.code})</span>
      {onRetry !== undefined && (
        <button type="button" class="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { readonly title: string; readonly children?: preact.ComponentChildren }) {
  return (
    <div class="state state-empty">
      <strong>{title}</strong>
      {children}
    </div>
  );
}
