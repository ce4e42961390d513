/** Text handling shared by indexing and querying: one normalization, one tokenizer. */

const WORD = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;

/** Lower case without diacritics, so "Café" and "cafe" meet. */
export function normalizeTerm(word: string): string {
  // Most words are plain ASCII: skip the Unicode decomposition (measured: it dominated indexing).
  return ASCII.test(word) ? word.toLowerCase() : word.normalize("NFD").replace(MARKS, "").toLowerCase();
}

const ASCII = /^[\x00-\x7f]*$/;

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
  // One normalization for the whole text; the offsets tokenize() keeps are not needed here.
  const plain = ASCII.test(text) ? text.toLowerCase() : text.normalize("NFD").replace(MARKS, "").toLowerCase();
  return plain.match(WORD) ?? [];
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
  const n = b.length;
  if (rows[0]!.length <= n) for (let r = 0; r < 3; r++) rows[r] = new Int32Array(n * 2 + 2);
  let [prev2, prev, cur] = rows as [Int32Array, Int32Array, Int32Array];
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const bj = b.charCodeAt(j - 1);
      let value = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) value = Math.min(value, prev2[j - 2]! + 1);
      cur[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return Math.min(prev[n]!, limit + 1);
}

/** Scratch rows reused across calls (the engine is single-threaded). */
const rows: Int32Array[] = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];
