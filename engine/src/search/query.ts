import { EngineError } from "../bridge/index.ts";
import { SearchKindSchema, type SearchKind } from "./documents.ts";
import { terms } from "./text.ts";

/** A word of the query: an exact term, or a prefix (`deploy*`, or the last word typed). */
export interface QueryWord {
  readonly term: string;
  readonly prefix: boolean;
  /** The last bare word: matched as typed and as a prefix (search as you type). */
  readonly typing: boolean;
}

export interface ParsedQuery {
  readonly words: readonly QueryWord[];
  /** Quoted phrases, as term sequences. */
  readonly phrases: readonly (readonly string[])[];
  readonly apps: readonly string[];
  readonly tags: readonly string[];
  readonly kinds: readonly SearchKind[];
  /** startedAt < before (epoch ms). */
  readonly before?: number;
  /** startedAt ≥ after (epoch ms). */
  readonly after?: number;
}


function dayStart(value: string, offsetMinutes: number, filter: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ms = match === null ? Number.NaN : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (!Number.isFinite(ms)) throw new EngineError("search.invalid_query", `${filter}: needs a date like 2026-03-14`, { data: { filter } });
  // A local midnight is UTC midnight minus the zone's offset east of UTC.
  return ms - offsetMinutes * 60_000;
}

/**
 * Parses what people type: words, `prefix*`, "quoted phrases", `app:`, `tag:`
 * (or `#tag`), `kind:`, `before:`/`after:` (dates, local midnight given the
 * caller's UTC offset in minutes). Filter values may be quoted (`app:"VS Code"`).
 */
export function parseQuery(input: string, options: { readonly utcOffsetMinutes?: number } = {}): ParsedQuery {
  const offset = options.utcOffsetMinutes ?? 0;
  const words: QueryWord[] = [];
  const phrases: string[][] = [];
  const apps: string[] = [];
  const tags: string[] = [];
  const kinds: SearchKind[] = [];
  let before: number | undefined;
  let after: number | undefined;
  const pattern = /(\w+):"([^"]*)"?|"([^"]*)"?|(\S+)/g;
  let lastBare: QueryWord | undefined;
  for (const match of input.matchAll(pattern)) {
    const [, quotedKey, quotedValue, phrase, bare] = match;
    let key: string | undefined;
    let value: string | undefined;
    if (quotedKey !== undefined) [key, value] = [quotedKey.toLowerCase(), quotedValue ?? ""];
    else if (phrase !== undefined) {
      const sequence = terms(phrase);
      if (sequence.length === 1) words.push({ term: sequence[0]!, prefix: false, typing: false });
      else if (sequence.length > 1) phrases.push(sequence);
      lastBare = undefined;
      continue;
    } else if (bare !== undefined) {
      const filter = /^(app|tag|kind|before|after):(.+)$/i.exec(bare);
      if (filter !== null) [key, value] = [filter[1]!.toLowerCase(), filter[2]!];
      else if (bare.startsWith("#") && bare.length > 1) [key, value] = ["tag", bare.slice(1)];
    }
    if (key !== undefined && value !== undefined) {
      lastBare = undefined;
      if (key === "app") apps.push(value.toLowerCase());
      else if (key === "tag") tags.push(value.toLowerCase());
      else if (key === "kind") {
        for (const part of value.toLowerCase().split(",")) {
          const kind = SearchKindSchema.safeParse(part.replace(/s$/, "")).data; // "tasks" means "task"
          if (kind === undefined) throw new EngineError("search.invalid_query", `kind: one of ${SearchKindSchema.options.join(", ")}`, { data: { filter: "kind" } });
          kinds.push(kind);
        }
      } else if (key === "before") before = dayStart(value, offset, "before");
      else if (key === "after") after = dayStart(value, offset, "after");
      continue;
    }
    if (bare === undefined) continue;
    const explicitPrefix = bare.endsWith("*");
    const parts = terms(bare);
    for (const [i, term] of parts.entries()) {
      const word = { term, prefix: explicitPrefix && i === parts.length - 1, typing: false };
      words.push(word);
      lastBare = word;
    }
  }
  // Whatever is typed last may be a word in progress.
  if (lastBare !== undefined && !lastBare.prefix && /[\p{L}\p{N}]$/u.test(input)) {
    const index = words.lastIndexOf(lastBare);
    words[index] = { ...lastBare, typing: true };
  }
  return { words, phrases, apps, tags, kinds: [...new Set(kinds)], ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) };
}

/** True when the query asks for nothing but filters. */
export function hasText(query: ParsedQuery): boolean {
  return query.words.length > 0 || query.phrases.length > 0;
}
