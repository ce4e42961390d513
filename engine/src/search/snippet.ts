import { tokenize } from "./text.ts";

/** A piece of an entry's text around its first match, with the matched words' ranges in it. */
export interface Snippet {
  readonly text: string;
  /** [start, end) character ranges of `text` to highlight. */
  readonly highlights: readonly (readonly [number, number])[];
}

const BEFORE = 50;
const LENGTH = 180;

/** Cuts a snippet around the first word `matches` accepts; whole text when short. Pure. */
export function snippetOf(text: string, matches: (term: string) => boolean): Snippet {
  const tokens = tokenize(text);
  const hits = tokens.filter((token) => matches(token.term));
  const first = hits[0];
  let start = 0;
  if (first !== undefined && text.length > LENGTH && first.start > BEFORE) {
    start = first.start - BEFORE;
    const space = text.indexOf(" ", start);
    if (space !== -1 && space < first.start) start = space + 1;
  }
  let end = Math.min(text.length, start + LENGTH);
  if (end < text.length) {
    const space = text.lastIndexOf(" ", end);
    if (space > (first?.end ?? start)) end = space;
  }
  const prefix = start > 0 ? "…" : "";
  const suffix = end < text.length ? "…" : "";
  const body = text.slice(start, end).replace(/\s+/g, " ");
  // Whitespace runs shrink to one space: recompute offsets on the cleaned body.
  const highlights: [number, number][] = [];
  for (const token of tokenize(body)) if (matches(token.term)) highlights.push([token.start + prefix.length, token.end + prefix.length]);
  return { text: `${prefix}${body}${suffix}`, highlights };
}

/** Marks highlights for plain-text output, e.g. `[word]`. */
export function markSnippet(snippet: Snippet, open = "[", close = "]"): string {
  let out = "";
  let at = 0;
  for (const [start, end] of snippet.highlights) {
    out += snippet.text.slice(at, start) + open + snippet.text.slice(start, end) + close;
    at = end;
  }
  return out + snippet.text.slice(at);
}
