import { useState } from "preact/hooks";
import type { EvidenceItem } from "../../../engine/src/review/models.ts";
import type { EditList } from "../../../engine/src/review/edits.ts";
import type { DetailModel } from "../models/detail-model.ts";
import { formatOffset } from "./format.ts";

/** Evidence chips in time order. */
export function Chips({ item, model }: { readonly item: EvidenceItem; readonly model: DetailModel }) {
  const sorted = [...item.evidence].sort((a, b) => a.tStart - b.tStart);
  return (
    <>
      {sorted.map((evidence, i) => (
        <button key={i} type="button" class="chip" onClick={() => model.followEvidence(evidence)} aria-label={`Go to ${formatOffset(evidence.tStart)}: ${item.text}`} data-testid="evidence-chip" data-t={evidence.tStart}>
          ▶ {formatOffset(evidence.tStart)}
        </button>
      ))}
    </>
  );
}

/** A one-line text editor: Enter saves, Escape cancels. */
export function InlineEdit({ value, label, onSave, onCancel, multiline }: { readonly value: string; readonly label: string; readonly onSave: (text: string) => void | Promise<unknown>; readonly onCancel: () => void; readonly multiline?: boolean }) {
  const [text, setText] = useState(value);
  const save = () => void onSave(text.trim());
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      onCancel();
    } else if (event.key === "Enter" && (!multiline || event.metaKey || event.ctrlKey)) {
      event.preventDefault();
      save();
    }
  };
  return (
    <form
      class="inline-edit"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      {multiline === true ? (
        <textarea aria-label={label} value={text} rows={4} onInput={(e) => setText(e.currentTarget.value)} onKeyDown={onKeyDown} ref={(el) => el?.focus()} data-testid="edit-field" />
      ) : (
        <input aria-label={label} value={text} onInput={(e) => setText(e.currentTarget.value)} onKeyDown={onKeyDown} ref={(el) => el?.focus()} data-testid="edit-field" />
      )}
      <button type="submit" class="button button-primary" disabled={text.trim() === ""}>
        Save
      </button>
      <button type="button" class="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

/** When re-enrichment wrote something other than what the user corrected: offer it beside the edit. */
export function AiOffer({ ai, onUse, onKeep }: { readonly ai: string; readonly onUse: () => void; readonly onKeep: () => void }) {
  return (
    <div class="ai-offer" role="note" data-testid="ai-offer">
      <span class="muted">The AI's new version:</span> <span>{ai}</span>
      <button type="button" class="link" onClick={onUse}>
        Use it
      </button>
      <button type="button" class="link" onClick={onKeep}>
        Keep mine
      </button>
    </div>
  );
}

function EditableItem({ list, item, model, checkable }: { readonly list: EditList; readonly item: EvidenceItem; readonly model: DetailModel; readonly checkable: boolean }) {
  const [editing, setEditing] = useState(false);
  // The tick shows at once and holds until the engine answers; a re-render meanwhile must not untick it.
  const [ticking, setTicking] = useState<boolean | undefined>(undefined);
  const itemId = item.id;
  const edit = (change: { text?: string | null; done?: boolean; deleted?: boolean }) => model.edit({ kind: "item", list, itemId, ...change });
  return (
    <li class={item.done === true ? "done" : undefined} data-item-id={item.id}>
      {checkable && (
        <input
          type="checkbox"
          checked={ticking ?? item.done === true}
          onChange={async (e) => {
            const done = e.currentTarget.checked;
            setTicking(done);
            await edit({ done });
            setTicking(undefined);
          }}
          aria-label={`Done: ${item.text}`}
        />
      )}
      {editing ? (
        <InlineEdit value={item.text} label={`Edit: ${item.text}`} onCancel={() => setEditing(false)} onSave={async (text) => (text === "" || (await edit({ text })) ? setEditing(false) : undefined)} />
      ) : (
        <span class="item-text">
          {item.text}
          {item.edited === true && <span class="badge" title={item.ai === undefined ? "Changed by you" : `The AI wrote: ${item.ai}`}>edited</span>}
          {item.added === true && <span class="badge">yours</span>}
          {item.unresolved === true && <span class="badge badge-failed" title="The moment this came from could not be found in the timeline">unverified</span>}
        </span>
      )}
      <Chips item={item} model={model} />
      {!editing && (
        <span class="item-actions">
          <button type="button" class="link" onClick={() => setEditing(true)} aria-label={`Edit ${item.text}`}>
            Edit
          </button>
          <button type="button" class="link link-danger" onClick={() => void edit({ deleted: true })} aria-label={`Delete ${item.text}`}>
            Delete
          </button>
        </span>
      )}
      {item.aiChanged === true && item.ai !== undefined && <AiOffer ai={item.ai} onUse={() => void edit({ text: null })} onKeep={() => void edit({ text: item.text })} />}
    </li>
  );
}

/** Tasks or notes: tick, edit, delete, add; the AI's version stays beside each edit. */
export function EditableList({ title, list, items, model, empty }: { readonly title: string; readonly list: EditList; readonly items: readonly EvidenceItem[]; readonly model: DetailModel; readonly empty: string }) {
  const [adding, setAdding] = useState(false);
  const noun = list === "tasks" ? "task" : "note";
  return (
    <section class="card" aria-label={title} data-testid={list}>
      <h2>{title}</h2>
      {items.length === 0 ? <p class="muted">{empty}</p> : <ul class="evidence-list">{items.map((item) => <EditableItem key={item.id} list={list} item={item} model={model} checkable={list === "tasks"} />)}</ul>}
      {adding ? (
        <InlineEdit value="" label={`New ${noun}`} onCancel={() => setAdding(false)} onSave={async (text) => (text === "" || (await model.edit({ kind: "add", list, text })) ? setAdding(false) : undefined)} />
      ) : (
        <button type="button" class="link" onClick={() => setAdding(true)} data-testid={`add-${noun}`}>
          + Add a {noun}
        </button>
      )}
    </section>
  );
}

/** Highlights: read-only, chips in time order. */
export function EvidenceList({ title, items, model, testId }: { readonly title: string; readonly items: readonly EvidenceItem[]; readonly model: DetailModel; readonly testId: string }) {
  return (
    <section class="card" aria-label={title} data-testid={testId}>
      <h2>{title}</h2>
      <ul class="evidence-list">
        {items.map((item) => (
          <li key={item.id}>
            <span class="item-text">{item.text}</span>
            <Chips item={item} model={model} />
          </li>
        ))}
      </ul>
    </section>
  );
}
