import { useState } from "preact/hooks";
import type { DetailModel } from "../models/detail-model.ts";
import { InlineEdit } from "./evidence-list.tsx";
import { formatBytes, formatCount, formatDate, formatDuration } from "./format.ts";
import { ErrorState } from "./states.tsx";

function Tags({ model, tags }: { readonly model: DetailModel; readonly tags: readonly string[] }) {
  const [adding, setAdding] = useState(false);
  return (
    <span class="tags" role="group" aria-label="Tags" data-testid="tags">
      {tags.map((tag) => (
        <span key={tag} class="tag">
          #{tag}
          <button type="button" class="tag-remove" onClick={() => void model.tags({ remove: [tag] })} aria-label={`Remove tag ${tag}`}>
            ×
          </button>
        </span>
      ))}
      {adding ? (
        <InlineEdit value="" label="New tag" onCancel={() => setAdding(false)} onSave={async (text) => (text === "" || (await model.tags({ add: [text] })) ? setAdding(false) : undefined)} />
      ) : (
        <button type="button" class="link" onClick={() => setAdding(true)} data-testid="add-tag">
          + Tag
        </button>
      )}
    </span>
  );
}

/** The detail's header: back, the name (renamable; focused after navigation), meta, tags and the session's actions. */
export function DetailHeader({ model, onBack, onProgress, onDelete, liveElapsed }: { readonly model: DetailModel; readonly onBack: () => void; readonly onProgress?: () => void; readonly onDelete?: (id: string, name: string) => Promise<boolean>; readonly liveElapsed?: (id: string) => number | undefined }) {
  const state = model.state.value;
  const s = state.kind === "ready" ? state.value.detail.value.session : undefined;
  const [renaming, setRenaming] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const exporting = model.exporting.value;
  return (
    <div class="detail-header">
      <div class="title-line">
        <button type="button" class="link back" onClick={onBack} aria-label="Back to all sessions" data-testid="back">
          ←
        </button>
        {renaming && s !== undefined ? (
          <InlineEdit value={s.name} label="Session name" onCancel={() => setRenaming(false)} onSave={async (name) => (name === "" || (await model.rename(name)) ? setRenaming(false) : undefined)} />
        ) : (
          <h1 id="detail-title" tabIndex={-1} title={s?.name}>
            {s?.name ?? "Session"}
          </h1>
        )}
        {s !== undefined && !renaming && (
          <details class="menu" data-testid="session-menu">
            <summary class="button" aria-label="Session actions">
              ⋯
            </summary>
            <div class="menu-items" role="group" aria-label="Session actions">
              <button type="button" class="menu-item" onClick={(e) => { (e.currentTarget.closest("details") as HTMLDetailsElement).open = false; setRenaming(true); }} data-testid="rename">
                Rename
              </button>
              <button type="button" class="menu-item" disabled={exporting !== undefined} onClick={() => void model.export("md")} data-testid="export-md">
                Export Markdown
              </button>
              <button type="button" class="menu-item" disabled={exporting !== undefined} onClick={() => void model.export("json")} data-testid="export-json">
                Export JSON
              </button>
              {onDelete !== undefined && (
                <button type="button" class="menu-item menu-danger" onClick={(e) => { (e.currentTarget.closest("details") as HTMLDetailsElement).open = false; setConfirming(true); }} data-testid="delete">
                  Delete…
                </button>
              )}
            </div>
          </details>
        )}
      </div>
      {confirming && s !== undefined && onDelete !== undefined && (
        <div class="confirm" role="alertdialog" aria-label="Confirm delete" data-testid="confirm-delete">
          <span>Delete “{s.name}”? You can undo for a few seconds.</span>
          <button type="button" class="button button-danger" ref={(el) => el?.focus()} onClick={async () => { setConfirming(false); await onDelete(s.id, `“${s.name}”`); }} data-testid="confirm-delete-yes">
            Delete
          </button>
          <button type="button" class="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
      {s !== undefined && (
        <p class="session-meta">
          <span>{formatDate(s.startedAt)}</span>
          <span data-testid="duration">{formatDuration(liveElapsed?.(s.id) ?? s.durationMs)}</span>
          <span>{formatBytes(s.sizeBytes)}</span>
          <span data-testid="capture-counts">
            {formatCount(s.screenshotCount)} {s.screenshotCount === 1 ? "shot" : "shots"} · {formatCount(s.audioSegmentCount)} audio
          </span>
          {s.status === "active" && <span class="badge badge-status-active">Recording</span>}
        </p>
      )}
      {s !== undefined && <Tags model={model} tags={s.tags} />}
      {model.exportError.value !== undefined && <ErrorState error={model.exportError.value} />}
      {s !== undefined && (s.enrichment.state === "running" || s.enrichment.state === "queued") && (
        <p class="notice" role="status" data-testid="enrichment-notice">
          Enrichment is {s.enrichment.state === "queued" ? "queued" : `running${s.enrichment.stage === undefined ? "" : ` (${s.enrichment.stage})`}`}; results appear here as they finish.{" "}
          {onProgress !== undefined && (
            <button type="button" class="link" onClick={onProgress}>
              Progress
            </button>
          )}
        </p>
      )}
    </div>
  );
}
