import type { SessionRow } from "../bridge/api.ts";
import type { ListModel, StatusFilter } from "../models/list-model.ts";
import { Empty, ErrorState, Loading } from "./states.tsx";
import { formatBytes, formatDate, formatDuration, formatUsd } from "./format.ts";

const STATUS_LABEL: Record<SessionRow["status"], string> = { active: "Recording", paused: "Paused", completed: "Completed", interrupted: "Interrupted" };

function EnrichmentBadge({ row }: { readonly row: SessionRow }) {
  const e = row.enrichment;
  const text = { none: "Not enriched", queued: "Enrichment queued", running: `Enriching ${Math.round((e.progress ?? 0) * 100)}%`, completed: "Enriched", failed: "Enrichment failed", cancelled: "Enrichment cancelled" }[e.state];
  return (
    <span class={`badge badge-${e.state}`} title={e.error}>
      {text}
    </span>
  );
}

export function SessionList({ model, onOpen }: { readonly model: ListModel; readonly onOpen: (row: SessionRow) => void }) {
  const state = model.state.value;
  return (
    <section class="screen" aria-labelledby="list-title">
      <h1 id="list-title">Sessions</h1>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          <span class="label">Search</span>
          <input type="search" placeholder="Name or #tag" value={model.text.value} onInput={(e) => (model.text.value = e.currentTarget.value)} data-testid="search" />
        </label>
        <label>
          <span class="label">Status</span>
          <select value={model.status.value} onChange={(e) => (model.status.value = e.currentTarget.value as StatusFilter)} data-testid="status-filter">
            <option value="all">All</option>
            <option value="completed">Completed</option>
            <option value="active">Recording</option>
            <option value="paused">Paused</option>
            <option value="interrupted">Interrupted</option>
          </select>
        </label>
        <label>
          <span class="label">From</span>
          <input type="date" value={model.from.value} onInput={(e) => (model.from.value = e.currentTarget.value)} />
        </label>
        <label>
          <span class="label">To</span>
          <input type="date" value={model.to.value} onInput={(e) => (model.to.value = e.currentTarget.value)} />
        </label>
      </form>
      {state.kind === "loading" && <Loading label="Loading sessions" since={state.since} />}
      {state.kind === "error" && <ErrorState error={state.error} onRetry={() => void model.reload()} />}
      {state.kind === "ready" && state.value.library === "demo" && <p class="notice">Showing the demo library: generated sessions kept in memory, not your recordings.</p>}
      {state.kind === "ready" && state.value.rows.length === 0 && (
        <Empty title={model.text.value || model.status.value !== "all" || model.from.value || model.to.value ? "No session matches these filters." : "No sessions yet."}>
          {state.value.library === "none" && <p>Start a recording above, or look around the demo library.</p>}
          {state.value.library === "none" && (
            <button type="button" class="button" onClick={() => void model.useDemo()} data-testid="use-demo">
              Load the demo library
            </button>
          )}
        </Empty>
      )}
      {state.kind === "ready" && state.value.rows.length > 0 && (
        <ul class="session-list" aria-label="Sessions, newest first" data-testid="session-list">
          {state.value.rows.map((row) => (
            <li key={row.id}>
              <button type="button" class="session-row" onClick={() => onOpen(row)} data-session-id={row.id}>
                <span class="session-name">{row.name}</span>
                <span class="session-meta">
                  <span>{formatDate(row.startedAt)}</span>
                  <span aria-label="Duration">{formatDuration(row.durationMs)}</span>
                  <span aria-label="Size on disk">{formatBytes(row.sizeBytes)}</span>
                  <span class={`badge badge-status-${row.status}`}>{STATUS_LABEL[row.status]}</span>
                  <EnrichmentBadge row={row} />
                  <span aria-label="Cost">{formatUsd(row.enrichment.totalCostUsd)}</span>
                </span>
                {row.tags.length > 0 && (
                  <span class="tags" aria-label="Tags">
                    {row.tags.map((tag) => (
                      <span key={tag} class="tag">
                        #{tag}
                      </span>
                    ))}
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
      )}
      {state.kind === "ready" && state.value.more && (
        <button type="button" class="button show-more" onClick={() => model.showMore()} data-testid="show-more">
          Show more sessions
        </button>
      )}
    </section>
  );
}
