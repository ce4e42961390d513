import { useEffect } from "preact/hooks";
import type { TargetedKeyboardEvent } from "preact";
import type { SearchHit } from "../bridge/api.ts";
import { snippetParts, type SearchModel } from "../models/search-model.ts";
import { formatDate, formatOffset } from "./format.ts";
import { ErrorState } from "./states.tsx";
import "./search-results.css";

const KIND_LABEL: Record<SearchHit["kind"], string> = { transcript: "said", screen: "on screen", summary: "summary", chapter: "chapter", task: "task", note: "note", marker: "marker", name: "name", tag: "tag", app: "app" };
const LIST_ID = "search-hits";
const hitId = (index: number) => `search-hit-${index}`;

/** Where typing goes anyway: a `/` there is text, not the shortcut. */
function typingIn(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return element !== null && typeof element.closest === "function" && (element.isContentEditable || element.closest("input, textarea, select, [contenteditable=true]") !== null);
}

interface SearchBoxProps {
  readonly "aria-autocomplete"?: "list";
  readonly "aria-controls"?: string;
  readonly "aria-activedescendant"?: string;
  readonly onKeyDown?: (event: TargetedKeyboardEvent<HTMLInputElement>) => void;
}

/**
 * What the list's search box adds for content search: arrows move through
 * the hits and Enter opens the active one.
 */
export function searchBoxProps(model: SearchModel | undefined, onOpen: ((hit: SearchHit) => void) | undefined): SearchBoxProps {
  if (model === undefined || onOpen === undefined) return {};
  const count = model.hits.value.length;
  const active = model.active.value;
  return {
    // A search box (not a combobox: the input stays type=search) whose active hit is announced through aria-activedescendant.
    "aria-autocomplete": "list",
    "aria-controls": LIST_ID,
    ...(active >= 0 && active < count ? { "aria-activedescendant": hitId(active) } : {}),
    onKeyDown: (event: TargetedKeyboardEvent<HTMLInputElement>) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (model.hits.peek().length === 0) return;
        event.preventDefault();
        model.move(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter") {
        const hit = model.current.peek();
        if (hit === undefined) return;
        event.preventDefault();
        onOpen(hit);
      }
    },
  };
}

function Snippet({ hit }: { readonly hit: SearchHit }) {
  return (
    <span class="hit-snippet">
      {snippetParts(hit.snippet).map((part, i) => (part.marked ? <mark key={i}>{part.text}</mark> : part.text))}
    </span>
  );
}

/** Content hits under the search box, grouped by session; choosing one opens the session at that moment. */
export function SearchResults({ model, onOpen }: { readonly model: SearchModel; readonly onOpen: (hit: SearchHit) => void }) {
  const state = model.state.value;
  const active = model.active.value;

  // `/` focuses the search box from anywhere on the list.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "/" || event.metaKey || event.ctrlKey || event.altKey || typingIn(event.target)) return;
      const box = document.querySelector<HTMLInputElement>("[data-testid=search]");
      if (box === null) return;
      event.preventDefault();
      box.focus();
      box.select();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);

  // Keep the active hit in view as the arrows move it.
  useEffect(() => {
    if (active >= 0) document.getElementById(hitId(active))?.scrollIntoView?.({ block: "nearest" });
  }, [active]);

  if (state.kind === "idle" || state.kind === "unavailable") return null;
  if (state.kind === "error") return <div class="search-results" data-testid="search-results"><ErrorState error={state.error} onRetry={() => void model.reload()} /></div>;
  if (state.kind === "loading") {
    return (
      <div class="search-results search-loading" data-testid="search-results" role="status" aria-live="polite">
        Searching what was said and shown…
      </div>
    );
  }
  const sessions = state.groups.length;
  return (
    <div class="search-results" data-testid="search-results" data-query={state.query}>
      <p class="search-count" role="status" aria-live="polite">
        {state.hits.length === 0 ? "Nothing said or shown matches." : `${state.total} ${state.total === 1 ? "match" : "matches"} in what was said or shown${sessions > 1 ? `, ${sessions} sessions` : ""}${state.total > state.hits.length ? ` (best ${state.hits.length})` : ""}`}
      </p>
      {state.hits.length > 0 && (
        <ul id={LIST_ID} class="search-hits" role="listbox" aria-label="Matches in sessions">
          {state.groups.map((group) => (
            <li key={group.sessionId} class="hit-group" role="presentation">
              <div class="hit-session" aria-hidden="true">
                <span class="hit-session-name">{group.sessionName || "Untitled session"}</span>
                <span class="hit-session-date">{formatDate(group.startedAt)}</span>
              </div>
              <ul class="hit-list" role="group" aria-label={group.sessionName || "Untitled session"}>
                {group.hits.map((hit, i) => {
                  const index = group.offset + i;
                  return (
                    <li
                      key={index}
                      id={hitId(index)}
                      class="hit"
                      role="option"
                      aria-selected={index === active}
                      data-testid="search-hit"
                      data-session-id={hit.sessionId}
                      data-ms={hit.startMs}
                      onMouseDown={(event) => event.preventDefault()}
                      onClick={() => onOpen(hit)}
                    >
                      <span class="hit-time">{formatOffset(hit.startMs)}</span>
                      <span class="hit-kind">{KIND_LABEL[hit.kind]}</span>
                      <Snippet hit={hit} />
                    </li>
                  );
                })}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
