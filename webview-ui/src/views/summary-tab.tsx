import { useState } from "preact/hooks";
import type { ChapterView, SessionDetail } from "../../../engine/src/review/models.ts";
import type { DetailModel } from "../models/detail-model.ts";
import { AiOffer, EditableList, EvidenceList, InlineEdit } from "./evidence-list.tsx";
import { formatOffset, formatUsd } from "./format.ts";

function enrichmentWord(detail: SessionDetail): "recording" | "running" | "failed" | "none" | "done" {
  if (detail.session.status === "active" || detail.session.status === "paused") return "recording";
  const state = detail.session.enrichment.state;
  return state === "running" || state === "queued" ? "running" : state === "failed" ? "failed" : state === "completed" ? "done" : "none";
}

function Summary({ detail, model }: { readonly detail: SessionDetail; readonly model: DetailModel }) {
  const [editing, setEditing] = useState(false);
  const summary = detail.summary;
  const state = enrichmentWord(detail);
  return (
    <section class="card" aria-label="Summary" data-testid="summary">
      <h2>
        Summary
        {summary?.edited === true && <span class="badge">edited</span>}
      </h2>
      {editing ? (
        <InlineEdit multiline value={summary?.text ?? ""} label="Summary" onCancel={() => setEditing(false)} onSave={async (text) => ((await model.edit({ kind: "summary", text: text === "" ? null : text })) ? setEditing(false) : undefined)} />
      ) : summary === undefined ? (
        <p class="muted">
          {state === "recording" ? "Still recording: the summary is made after the session ends." : state === "running" ? "Enrichment is running; the summary appears when it finishes." : state === "failed" ? `Enrichment failed: ${detail.session.enrichment.error ?? "no reason given"}.` : state === "done" ? "No summary was made." : "This session has not been enriched."}
        </p>
      ) : (
        <>
          <p data-testid="summary-text">{summary.text}</p>
          {summary.local === true && <p class="muted">Made on this machine by the local provider.</p>}
        </>
      )}
      {!editing && (
        <button type="button" class="link" onClick={() => setEditing(true)} data-testid="edit-summary">
          {summary === undefined ? "Write a summary" : "Edit"}
        </button>
      )}
      {summary?.aiChanged === true && summary.ai !== undefined && <AiOffer ai={summary.ai} onUse={() => void model.edit({ kind: "summary", text: null })} onKeep={() => void model.edit({ kind: "summary", text: summary.text })} />}
      {state === "failed" && (
        <button type="button" class="button" onClick={() => void model.retryEnrichment()} data-testid="retry-enrichment">
          Retry enrichment
        </button>
      )}
    </section>
  );
}

function Chapter({ chapter, model }: { readonly chapter: ChapterView; readonly model: DetailModel }) {
  const [editing, setEditing] = useState(false);
  const title = chapter.title.trim() === "" ? "Untitled chapter" : chapter.title;
  return (
    <li>
      <button type="button" class="chip" onClick={() => model.followEvidence({ tStart: chapter.t, tEnd: chapter.tEnd, kind: "marker", ref: chapter.id })} aria-label={`Go to chapter ${title} at ${formatOffset(chapter.t)}`}>
        ▶ {formatOffset(chapter.t)}
      </button>
      {editing ? (
        <InlineEdit value={chapter.title} label={`Title of chapter ${title}`} onCancel={() => setEditing(false)} onSave={async (text) => ((await model.edit({ kind: "chapter", chapterId: chapter.id, title: text === "" ? null : text })) ? setEditing(false) : undefined)} />
      ) : (
        <>
          <span class="item-text">
            {title}
            {chapter.edited === true && <span class="badge" title={`The AI wrote: ${chapter.ai ?? ""}`}>edited</span>}
          </span>
          <button type="button" class="link" onClick={() => setEditing(true)} aria-label={`Rename chapter ${title}`}>
            Edit
          </button>
        </>
      )}
      {chapter.aiChanged === true && chapter.ai !== undefined && <AiOffer ai={chapter.ai} onUse={() => void model.edit({ kind: "chapter", chapterId: chapter.id, title: null })} onKeep={() => void model.edit({ kind: "chapter", chapterId: chapter.id, title: chapter.title })} />}
    </li>
  );
}

/** The Summary tab: the AI's output as corrected by the user, then cost and capture integrity. */
export function SummaryTab({ detail, model }: { readonly detail: SessionDetail; readonly model: DetailModel }) {
  const state = enrichmentWord(detail);
  const chapters = detail.chapters ?? [];
  const empty = (what: string) => (state === "done" ? `No ${what} found.` : state === "running" ? `${what[0]!.toUpperCase()}${what.slice(1)} appear when enrichment finishes.` : state === "failed" ? "Enrichment failed, so none were extracted." : state === "recording" ? "Still recording: these come after the session ends." : "Not enriched yet.");
  return (
    <div class="tab-body" data-testid="summary-tab">
      <Summary detail={detail} model={model} />
      <section class="card" aria-label="Chapters" data-testid="chapters">
        <h2>
          Chapters <span class="muted">({chapters.length})</span>
        </h2>
        {chapters.length === 0 ? <p class="muted">{empty("chapters")}</p> : <ol class="evidence-list chapter-list">{chapters.map((chapter) => <Chapter key={chapter.id} chapter={chapter} model={model} />)}</ol>}
      </section>
      {detail.summary !== undefined && detail.summary.points.length > 0 && <EvidenceList title="Highlights" items={detail.summary.points} model={model} testId="highlights" />}
      <EditableList title="Tasks" list="tasks" items={detail.tasks} model={model} empty={empty("tasks")} />
      <EditableList title="Notes" list="notes" items={detail.notes} model={model} empty={empty("notes")} />
      <section class="card" aria-label="Capture integrity" data-testid="integrity">
        <h2>Capture integrity</h2>
        {detail.integrity.ok && detail.integrity.problems.length === 0 ? (
          <p>No problems found.</p>
        ) : (
          <ul>
            {detail.integrity.problems.map((p, i) => (
              <li key={i}>
                <strong>{p.kind}</strong>: {p.message}
              </li>
            ))}
          </ul>
        )}
        {detail.integrity.problems.some((p) => p.kind === "storage") && (
          <button type="button" class="button" onClick={() => void model.repair()} data-testid="repair">
            Repair storage
          </button>
        )}
      </section>
      <section class="card" aria-label="Cost" data-testid="cost">
        <h2>Cost {formatUsd(detail.cost.totalUsd)}</h2>
        {detail.cost.lines.length === 0 ? (
          <p class="muted">Nothing spent.</p>
        ) : (
          <table class="cost">
            <thead>
              <tr>
                <th scope="col">Stage</th>
                <th scope="col">Provider</th>
                <th scope="col">Calls</th>
                <th scope="col">Cost</th>
              </tr>
            </thead>
            <tbody>
              {detail.cost.lines.map((line) => (
                <tr key={`${line.stage}-${line.provider}-${line.model ?? ""}`}>
                  <td>{line.stage}</td>
                  <td>
                    {line.provider}
                    {line.model !== undefined && line.model !== line.provider ? ` (${line.model})` : ""}
                  </td>
                  <td>{line.calls}</td>
                  <td>{formatUsd(line.usd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
