import type { SearchKind } from "./documents.ts";
import { hasText, type ParsedQuery, type QueryWord } from "./query.ts";
import type { Segment } from "./segment.ts";
import { snippetOf, type Snippet } from "./snippet.ts";
import { allowedTypos, editDistanceWithin, tokenize } from "./text.ts";

export interface SearchHit {
  readonly sessionId: string;
  readonly sessionName: string;
  readonly startedAt: number;
  readonly kind: SearchKind;
  /** The moment, in session time (ms): open the session here. */
  readonly startMs: number;
  readonly endMs: number;
  readonly ref?: string;
  readonly snippet: Snippet;
  readonly score: number;
}

export interface SearchResult {
  readonly hits: SearchHit[];
  /** Matching entries before the limits (with a phrase: entries holding its words, less those seen out of order). */
  readonly total: number;
}

export interface SearchOptions {
  /** Default 20. */
  readonly limit?: number;
  /** Entries per session at most (default 5), so one long session does not fill the page. */
  readonly perSession?: number;
  /** Sessions that still exist: anything else is never returned, even before its segment goes. */
  readonly isLive?: (sessionId: string) => boolean;
}

/** Why a heading beats a passing mention. */
const KIND_WEIGHT: Record<SearchKind, number> = { name: 3, tag: 3, marker: 2, chapter: 2, task: 1.8, note: 1.5, summary: 1.5, app: 1.5, transcript: 1, screen: 0.8 };
const EXACT = 1;
const PREFIX = 0.7;
const TYPO = 0.5;
const MAX_EXPANSIONS = 64;
const K1 = 1.2;
const B = 0.75;

/** The terms one query word stands for, with how much a match on each counts. */
type Expansion = Map<string, number>;

/**
 * The whole index in memory: one segment per session plus the corpus
 * statistics ranking needs (document frequency per term, average length).
 */
export function createSearchIndex() {
  const segments = new Map<string, Segment>();
  const df = new Map<string, number>();
  let docCount = 0;
  let wordCount = 0;
  let sortedTerms: string[] | undefined;
  let lengthBuckets: Map<number, string[]> | undefined;

  function account(segment: Segment, sign: 1 | -1): void {
    docCount += sign * segment.docs.length;
    for (const length of segment.lengths) wordCount += sign * length;
    for (const [term, list] of segment.postings) {
      let distinct = 1;
      for (let i = 1; i < list.length; i++) if (list[i] !== list[i - 1]) distinct++;
      const next = (df.get(term) ?? 0) + sign * distinct;
      if (next <= 0) {
        df.delete(term);
        sortedTerms = undefined;
      } else {
        if (!df.has(term)) sortedTerms = undefined;
        df.set(term, next);
      }
    }
  }

  function terms(): string[] {
    if (sortedTerms === undefined) {
      sortedTerms = [...df.keys()].sort();
      lengthBuckets = undefined;
    }
    return sortedTerms;
  }

  /** Terms by length, for typo matching (rebuilt with the sorted list). */
  function byLength(): Map<number, string[]> {
    const all = terms();
    if (lengthBuckets === undefined) {
      lengthBuckets = new Map();
      for (const term of all) {
        const bucket = lengthBuckets.get(term.length);
        if (bucket === undefined) lengthBuckets.set(term.length, [term]);
        else bucket.push(term);
      }
    }
    return lengthBuckets;
  }

  function expand(word: QueryWord): Expansion {
    const out: Expansion = new Map();
    if (df.has(word.term)) out.set(word.term, EXACT);
    if (word.prefix || word.typing) {
      const all = terms();
      let lo = 0;
      let hi = all.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (all[mid]! < word.term) lo = mid + 1;
        else hi = mid;
      }
      const found: string[] = [];
      for (let i = lo; i < all.length && all[i]!.startsWith(word.term); i++) found.push(all[i]!);
      // The commonest completions: a one-letter prefix must not fan out over the dictionary.
      found.sort((a, b) => (df.get(b) ?? 0) - (df.get(a) ?? 0));
      for (const term of found.slice(0, MAX_EXPANSIONS)) if (!out.has(term)) out.set(term, word.prefix ? (term === word.term ? EXACT : PREFIX) : PREFIX);
    }
    const typos = allowedTypos(word.term);
    // A word the index knows as typed is taken as meant; only an unknown one is read as a typo
    // (measured: scanning the dictionary for every word cost more than the rest of a query).
    if (typos > 0 && !word.prefix && !df.has(word.term)) {
      const buckets = byLength();
      for (let length = word.term.length - typos; length <= word.term.length + typos; length++) {
        const [a0, a1] = [word.term.charCodeAt(0), word.term.charCodeAt(1)];
        for (const term of buckets.get(length) ?? []) {
          // One edit leaves one of the first two letters in one of the first two places.
          if (typos === 1 && a0 !== term.charCodeAt(0) && a1 !== term.charCodeAt(1) && a0 !== term.charCodeAt(1) && a1 !== term.charCodeAt(0)) continue;
          if (!out.has(term) && editDistanceWithin(word.term, term, typos) <= typos) out.set(term, TYPO);
        }
      }
    }
    return out;
  }

  function idf(term: string): number {
    const n = df.get(term) ?? 0;
    return Math.log(1 + (docCount - n + 0.5) / (n + 0.5));
  }

  /** Score per matching doc of one segment for one word (best expansion per doc). */
  function scoreWord(segment: Segment, expansion: Expansion, avgLength: number): Map<number, number> {
    const scores = new Map<number, number>();
    for (const [term, weight] of expansion) {
      const list = segment.postings.get(term);
      if (list === undefined) continue;
      const termIdf = idf(term) * weight;
      let i = 0;
      while (i < list.length) {
        const doc = list[i]!;
        let tf = 0;
        while (i < list.length && list[i] === doc) {
          tf++;
          i++;
        }
        const norm = (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * segment.lengths[doc]!) / avgLength));
        const value = termIdf * norm;
        if (value > (scores.get(doc) ?? 0)) scores.set(doc, value);
      }
    }
    return scores;
  }

  function containsPhrase(text: string, phrase: readonly string[]): boolean {
    const tokens = tokenize(text);
    outer: for (let i = 0; i + phrase.length <= tokens.length; i++) {
      for (let j = 0; j < phrase.length; j++) if (tokens[i + j]!.term !== phrase[j]) continue outer;
      return true;
    }
    return false;
  }

  function passesSession(segment: Segment, query: ParsedQuery, options: SearchOptions): boolean {
    if (options.isLive !== undefined && !options.isLive(segment.sessionId)) return false;
    if (query.before !== undefined && segment.startedAt >= query.before) return false;
    if (query.after !== undefined && segment.startedAt < query.after) return false;
    for (const tag of query.tags) if (!segment.tags.includes(tag)) return false;
    for (const app of query.apps) if (!segment.apps.some((name) => name.includes(app))) return false;
    return true;
  }

  function search(query: ParsedQuery, options: SearchOptions = {}): SearchResult {
    const limit = options.limit ?? 20;
    const perSession = options.perSession ?? 5;
    const kinds = query.kinds.length > 0 ? new Set(query.kinds) : undefined;
    const avgLength = docCount === 0 ? 1 : Math.max(1, wordCount / docCount);
    const expansions = query.words.map(expand);
    // Phrase words must all be present exactly before the text is checked.
    const phraseTerms = query.phrases.map((phrase) => new Map(phrase.map((term) => [term, EXACT] as const)));
    const highlight = new Set<string>();
    for (const expansion of [...expansions, ...phraseTerms]) for (const term of expansion.keys()) highlight.add(term);
    const candidates: { segment: Segment; doc: number; score: number }[] = [];
    if (expansions.some((expansion) => expansion.size === 0)) return { hits: [], total: 0 };
    for (const segment of segments.values()) {
      if (!passesSession(segment, query, options)) continue;
      if (!hasText(query)) {
        const doc = segment.docs.findIndex((entry) => kinds === undefined || kinds.has(entry.kind));
        if (doc !== -1) candidates.push({ segment, doc, score: 0 });
        continue;
      }
      let combined: Map<number, number> | undefined;
      for (const expansion of [...expansions, ...phraseTerms.flatMap((terms) => [...terms].map(([term]) => new Map([[term, EXACT]])))]) {
        const scores = scoreWord(segment, expansion, avgLength);
        if (combined === undefined) combined = scores;
        else {
          const next = new Map<number, number>();
          for (const [doc, score] of combined) {
            const more = scores.get(doc);
            if (more !== undefined) next.set(doc, score + more);
          }
          combined = next;
        }
        if (combined.size === 0) break;
      }
      for (const [doc, score] of combined ?? []) {
        const entry = segment.docs[doc]!;
        if (kinds !== undefined && !kinds.has(entry.kind)) continue;
        candidates.push({ segment, doc, score: score * KIND_WEIGHT[entry.kind] });
      }
    }
    // Relevance first; near-equal scores fall to recency, then to the earlier moment.
    const rounded = (score: number) => Math.round(score * 1000) / 1000;
    candidates.sort(
      (a, b) =>
        rounded(b.score) - rounded(a.score) ||
        b.segment.startedAt - a.segment.startedAt ||
        a.segment.docs[a.doc]!.startMs - b.segment.docs[b.doc]!.startMs ||
        a.segment.sessionId.localeCompare(b.segment.sessionId) ||
        a.doc - b.doc,
    );
    const perCount = new Map<string, number>();
    const hits: SearchHit[] = [];
    let rejected = 0;
    for (const candidate of candidates) {
      if (hits.length >= limit) break;
      const seen = perCount.get(candidate.segment.sessionId) ?? 0;
      if (seen >= perSession) continue;
      // Word order is checked only as far as the page needs: reading every text of a common pair cost most of a phrase query.
      if (query.phrases.length > 0 && !query.phrases.every((phrase) => containsPhrase(candidate.segment.docs[candidate.doc]!.text, phrase))) {
        rejected++;
        continue;
      }
      perCount.set(candidate.segment.sessionId, seen + 1);
      const entry = candidate.segment.docs[candidate.doc]!;
      hits.push({
        sessionId: candidate.segment.sessionId,
        sessionName: candidate.segment.name,
        startedAt: candidate.segment.startedAt,
        kind: entry.kind,
        startMs: entry.startMs,
        endMs: entry.endMs,
        ...(entry.ref === undefined ? {} : { ref: entry.ref }),
        snippet: snippetOf(entry.text, (term) => highlight.has(term)),
        score: Math.round(candidate.score * 1000) / 1000,
      });
    }
    return { hits, total: candidates.length - rejected };
  }

  return {
    put(segment: Segment): void {
      const old = segments.get(segment.sessionId);
      if (old !== undefined) account(old, -1);
      segments.set(segment.sessionId, segment);
      account(segment, 1);
    },
    remove(sessionId: string): boolean {
      const old = segments.get(sessionId);
      if (old === undefined) return false;
      account(old, -1);
      segments.delete(sessionId);
      return true;
    },
    clear(): void {
      segments.clear();
      df.clear();
      docCount = 0;
      wordCount = 0;
      sortedTerms = undefined;
      lengthBuckets = undefined;
    },
    search,
  };
}

export type SearchIndex = ReturnType<typeof createSearchIndex>;
