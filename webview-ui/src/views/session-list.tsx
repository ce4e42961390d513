import { useLayoutEffect } from "preact/hooks";
import type { SearchHit, SessionRow } from "../bridge/api.ts";
import type { ListModel, RangeFilter, StatusFilter } from "../models/list-model.ts";
import { Empty, ErrorState, Loading } from "./states.tsx";
import { formatBytes, formatDate, formatDuration, formatUsd } from "./format.ts";
import { SearchResults, searchBoxProps } from "./search-results.tsx";

const STATUS_LABEL: Record<SessionRow["status"], string> = { active: "Recording", paused: "Paused", completed: "Completed", interrupted: "Interrupted" };

function EnrichmentBadge({ row }: { readonly row: SessionRow }) {
  const e = row.enrichment;
  const text = { none: "Not enriched", queued: "Queued", running: `Enriching ${Math.round((e.progress ?? 0) * 100)}%`, completed: "Enriched", failed: "Failed", cancelled: "Cancelled" }[e.state];
  return (
    <span class={`badge badge-${e.state}`} title={e.error ?? `Enrichment: ${text}`}>
      {text}
    </span>
  );
}

function Row({ row, model, onOpen, liveElapsed }: { readonly row: SessionRow; readonly model: ListModel; readonly onOpen: (row: SessionRow) => void; readonly liveElapsed?: ((id: string) => number | undefined) | undefined }) {
  const selected = model.selected.value.has(row.id);
  return (
    <li class={selected ? "selected" : undefined}>
      <input type="checkbox" class="row-select" checked={selected} onChange={() => model.toggleSelected(row.id)} aria-label={`Select ${row.name}`} />
      <button type="button" class="session-row" onClick={() => onOpen(row)} data-session-id={row.id}>
        <span class="session-line">
          <span class="session-name">{row.name}</span>
          {row.status !== "completed" && <span class={`badge badge-status-${row.status}`}>{STATUS_LABEL[row.status]}</span>}
          <EnrichmentBadge row={row} />
        </span>
        <span class="session-meta">
          <span>{formatDate(row.startedAt)}</span>
          <span aria-label="Duration">{formatDuration((row.status === "active" || row.status === "paused" ? liveElapsed?.(row.id) : undefined) ?? row.durationMs)}</span>
          <span aria-label="Size on disk">{formatBytes(row.sizeBytes)}</span>
          <span aria-label="Cost">{formatUsd(row.enrichment.totalCostUsd)}</span>
          {row.tags.length > 0 && (
            // One span for all tags, so a narrow row ends them with an ellipsis instead of cutting a tag in half.
            <span class="row-tags tag">{row.tags.map((tag) => `#${tag}`).join(" ")}</span>
          )}
        </span>
      </button>
    </li>
  );
}

export function SessionList({ model, onOpen, onDelete, onOpenHit, liveElapsed }: { readonly model: ListModel; readonly onOpen: (row: SessionRow) => void; readonly onDelete?: (ids: readonly string[], label: string) => Promise<boolean>; readonly onOpenHit?: (hit: SearchHit) => void; readonly liveElapsed?: (id: string) => number | undefined }) {
  const state = model.state.value;
  const selected = model.selected.value;
  const rowCount = state.kind === "ready" ? state.value.rows.length : -1;
  useLayoutEffect(() => {
    // Marks the first frame with rows, for the popover-open benchmark.
    if (rowCount > 0 && performance.getEntriesByName("stint:list-painted").length === 0) requestAnimationFrame(() => setTimeout(() => performance.mark("stint:list-painted"), 0));
  }, [rowCount > 0]);
  const filtered = model.text.value !== "" || model.status.value !== "all" || model.range.value !== "any" || model.from.value !== "" || model.to.value !== "";
  return (
    <section class="screen screen-list" aria-labelledby="list-title">
      <h1 id="list-title" class="sr-only" tabIndex={-1}>
        Sessions
      </h1>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        {/* The search box; content search results render in the slot below it. */}
        <input type="search" class="search" placeholder="Search, or #tag" aria-label="Search sessions" value={model.text.value} onInput={(e) => (model.text.value = e.currentTarget.value)} data-testid="search" {...searchBoxProps(model.search, onOpenHit)} />
        <select value={model.status.value} onChange={(e) => (model.status.value = e.currentTarget.value as StatusFilter)} aria-label="Status" data-testid="status-filter">
          <option value="all">Any status</option>
          <option value="completed">Completed</option>
          <option value="active">Recording</option>
          <option value="paused">Paused</option>
          <option value="interrupted">Interrupted</option>
        </select>
        <select value={model.range.value} onChange={(e) => (model.range.value = e.currentTarget.value as RangeFilter)} aria-label="When" data-testid="range-filter">
          <option value="any">Any time</option>
          <option value="day">Last day</option>
          <option value="week">Last 7 days</option>
          <option value="month">Last 30 days</option>
        </select>
      </form>
      <div class="search-slot" data-slot="search-results">{onOpenHit !== undefined && <SearchResults model={model.search} onOpen={onOpenHit} />}</div>
      {selected.size > 0 && onDelete !== undefined && (
        <div class="selection-bar" role="group" aria-label="Selected sessions" data-testid="selection-bar">
          <span>{selected.size} selected</span>
          <button
            type="button"
            class="button button-danger"
            onClick={async () => {
              const ids = [...selected];
              if (await onDelete(ids, ids.length === 1 ? "1 session" : `${ids.length} sessions`)) model.clearSelection();
            }}
            data-testid="delete-selected"
          >
            Delete {selected.size}
          </button>
          <button type="button" class="button" onClick={() => model.clearSelection()}>
            Clear
          </button>
        </div>
      )}
      <div class="list-scroll">
        {state.kind === "loading" && <Loading label="Loading sessions" since={state.since} />}
        {state.kind === "error" && <ErrorState error={state.error} onRetry={() => void model.reload()} />}
        {state.kind === "ready" && state.value.library === "demo" && <p class="notice">Demo library: generated sessions kept in memory, not your recordings.</p>}
        {state.kind === "ready" && state.value.rows.length === 0 && model.search.hits.value.length === 0 && (
          <Empty title={filtered ? "No session matches these filters." : "No recordings yet."}>
            {!filtered && (
              <p data-testid="first-run">
                Press <kbd>R</kbd> or ● Record to start your first session.
              </p>
            )}
            {state.value.library === "none" && (
              <button type="button" class="button" onClick={() => void model.useDemo()} data-testid="use-demo">
                Look around the demo library
              </button>
            )}
          </Empty>
        )}
        {state.kind === "ready" && state.value.rows.length > 0 && (
          <ul class="session-list" aria-label="Sessions, newest first" data-testid="session-list">
            {state.value.rows.map((row) => (
              <Row key={row.id} row={row} model={model} onOpen={onOpen} liveElapsed={liveElapsed} />
            ))}
          </ul>
        )}
        {state.kind === "ready" && state.value.more && (
          <button type="button" class="button show-more" onClick={() => model.showMore()} data-testid="show-more">
            Show more sessions
          </button>
        )}
      </div>
    </section>
  );
}
