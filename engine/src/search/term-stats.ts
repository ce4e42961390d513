import type { QueryWord } from "./query.ts";
import { findTerm, type RunHead } from "./run.ts";
import { allowedTypos, editDistanceWithin } from "./text.ts";

const EXACT = 1;
const PREFIX = 0.7;
const TYPO = 0.5;
const MAX_EXPANSIONS = 64;

/** The terms one query word stands for, with how much a match on each counts. */
export type Expansion = Map<string, number>;

/**
 * The dictionary over every run, read from the runs' sorted term lists as a
 * query needs it (nothing is built when the index opens): document frequency
 * summed over the runs, prefixes by binary search in each, typos by a scan of
 * each run's terms of the right lengths (bucketed once per run).
 */
export function createTermStats(heads: () => Iterable<RunHead>) {
  const buckets = new WeakMap<RunHead, Map<number, number[]>>();

  function df(term: string): number {
    let n = 0;
    for (const head of heads()) {
      const t = findTerm(head.terms, term);
      if (t !== -1) n += head.df[t]!;
    }
    return n;
  }

  function byLength(head: RunHead): Map<number, number[]> {
    let found = buckets.get(head);
    if (found === undefined) {
      found = new Map();
      for (const [i, term] of head.terms.entries()) {
        const bucket = found.get(term.length);
        if (bucket === undefined) found.set(term.length, [i]);
        else bucket.push(i);
      }
      buckets.set(head, found);
    }
    return found;
  }

  function expand(word: QueryWord): Expansion {
    const out: Expansion = new Map();
    const known = df(word.term) > 0;
    if (known) out.set(word.term, EXACT);
    if (word.prefix || word.typing) {
      const counts = new Map<string, number>();
      for (const head of heads()) {
        const all = head.terms;
        let lo = 0;
        let hi = all.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (all[mid]! < word.term) lo = mid + 1;
          else hi = mid;
        }
        for (let i = lo; i < all.length && all[i]!.startsWith(word.term); i++) counts.set(all[i]!, (counts.get(all[i]!) ?? 0) + head.df[i]!);
      }
      // The commonest completions: a one-letter prefix must not fan out over the dictionary.
      const found = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1));
      for (const term of found.slice(0, MAX_EXPANSIONS)) if (!out.has(term)) out.set(term, word.prefix ? (term === word.term ? EXACT : PREFIX) : PREFIX);
    }
    const typos = allowedTypos(word.term);
    // A word the index knows as typed is taken as meant; only an unknown one is read as a typo
    // (measured: scanning the dictionary for every word cost more than the rest of a query).
    if (typos > 0 && !word.prefix && !known) {
      const [a0, a1] = [word.term.charCodeAt(0), word.term.charCodeAt(1)];
      for (const head of heads()) {
        const lengths = byLength(head);
        for (let length = word.term.length - typos; length <= word.term.length + typos; length++) {
          for (const i of lengths.get(length) ?? []) {
            const term = head.terms[i]!;
            // One edit leaves one of the first two letters in one of the first two places.
            if (typos === 1 && a0 !== term.charCodeAt(0) && a1 !== term.charCodeAt(1) && a0 !== term.charCodeAt(1) && a1 !== term.charCodeAt(0)) continue;
            if (!out.has(term) && editDistanceWithin(word.term, term, typos) <= typos) out.set(term, TYPO);
          }
        }
      }
    }
    return out;
  }

  return {
    expand,
    idf(term: string, docCount: number): number {
      const n = df(term);
      return Math.log(1 + (docCount - n + 0.5) / (n + 0.5));
    },
  };
}
