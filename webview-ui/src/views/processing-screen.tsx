import type { ProcessingModel } from "../models/processing-model.ts";
import { ErrorState } from "./states.tsx";

export function ProcessingScreen({ model, onOpen, onBack }: { readonly model: ProcessingModel; readonly onOpen: () => void; readonly onBack: () => void }) {
  const stages = Object.values(model.stages.value);
  const failed = model.failed.value;
  return (
    <section class="screen" aria-labelledby="processing-title" data-testid="processing">
      <button type="button" class="link back" onClick={onBack}>
        ← All sessions
      </button>
      <h1 id="processing-title" tabIndex={-1}>
        {model.done.value ? `${model.row.value?.name ?? "The session"} is ready` : failed !== undefined ? `Processing ${model.row.value?.name ?? "the session"} stopped` : `Processing ${model.row.value?.name ?? "the session"}`}
      </h1>
      <ol class="stages">
        {stages.map((stage) => (
          <li key={stage.key} class={`stage stage-${stage.status}`} data-stage={stage.key} data-status={stage.status}>
            <span class="stage-label">{stage.label}</span>
            <progress max={1} value={stage.status === "completed" ? 1 : stage.progress} aria-label={`${stage.label} progress`} />
            <span class="stage-status">{stage.status === "running" ? `${Math.round(stage.progress * 100)}%` : stage.status}</span>
            {stage.error !== undefined && stage.status !== "failed" && <span class="muted">{stage.error}</span>}
          </li>
        ))}
      </ol>
      {model.noEnrichment.value && <p class="notice" data-testid="no-enrichment">This engine has no enrichment feature, so there is nothing to process: the session is ready to review as recorded.</p>}
      {failed !== undefined && (
        <div class="state state-error" role="alert">
          <strong>{failed.label} failed.</strong> {failed.error}
          <button type="button" class="button" onClick={() => void model.retry()} data-testid="retry-enrichment">
            Retry
          </button>
        </div>
      )}
      {model.error.value !== undefined && <ErrorState error={model.error.value} onRetry={() => void model.retry()} />}
      <div class="actions">
        <button type="button" class={model.done.value ? "button button-primary" : "button"} onClick={onOpen} data-testid="open-processed">
          {model.done.value ? "Open the session" : "Open it now (results appear as they finish)"}
        </button>
      </div>
    </section>
  );
}
