/** Text handling shared by indexing and querying: one normalization, one tokenizer. */

const WORD = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;

/** Lower case without diacritics, so "Café" and "cafe" meet. */
export function normalizeTerm(word: string): string {
  return word.normalize("NFD").replace(MARKS, "").toLowerCase();
}

export interface Token {
  readonly term: string;
  /** Character offsets in the original text. */
  readonly start: number;
  readonly end: number;
}

/** Words of a text with their offsets (for snippets and phrases). */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    const start = match.index;
    out.push({ term: normalizeTerm(match[0]), start, end: start + match[0].length });
  }
  return out;
}

/** Just the terms, for indexing. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(WORD)) out.push(normalizeTerm(match[0]));
  return out;
}

/** How many edits a query word may be away from an indexed term: none below five letters. */
export function allowedTypos(word: string): number {
  if (word.length < 5) return 0;
  return word.length < 9 ? 1 : 2;
}

/**
 * Optimal-string-alignment distance, or `limit + 1` as soon as it must exceed
 * `limit` (banded, so checking a whole dictionary stays cheap).
 */
export function editDistanceWithin(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (a === b) return 0;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let value = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) value = Math.min(value, prev2[j - 2]! + 1);
      cur[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return Math.min(prev[n]!, limit + 1);
}
