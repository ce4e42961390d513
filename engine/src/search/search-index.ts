import { SearchKindSchema, type SearchDocument, type SearchKind } from "./documents.ts";
import { hasText, type ParsedQuery } from "./query.ts";
import { findTerm, layoutOf, type RunHead, type RunLayout, type RunSession } from "./run.ts";
import { snippetOf, type Snippet } from "./snippet.ts";
import { createTermStats } from "./term-stats.ts";
import { tokenize } from "./text.ts";

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
  /** Sessions that still exist: anything else is never returned, even before its run is merged away. */
  readonly isLive?: (sessionId: string) => boolean;
}

/** Where the index reads what it does not hold: a run's shard, a session's entries (for snippets and phrases). */
export interface IndexReader {
  shard(runId: string, k: number): Promise<Uint8Array>;
  doc(sessionId: string, doc: number): Promise<SearchDocument | undefined>;
}

/** Why a heading beats a passing mention. */
const KIND_WEIGHT: Record<SearchKind, number> = { name: 3, tag: 3, marker: 2, chapter: 2, task: 1.8, note: 1.5, summary: 1.5, app: 1.5, transcript: 1, screen: 0.8 };
const KINDS = SearchKindSchema.options;
const KIND_WEIGHTS = KINDS.map((kind) => KIND_WEIGHT[kind]);
/** Entries whose chunks the page reads at once. */
const PREFETCH = 32;
const K1 = 1.2;
const B = 0.75;

/** A run as the index holds it: its head, where its terms sit, and which of its sessions it still owns (slot, or −1). */
export interface LoadedRun {
  readonly head: RunHead;
  readonly layout: RunLayout;
  readonly slots: Int32Array;
  /** Where each session's docs start in the run's dense numbering (one more entry: the total). */
  readonly docBase: Float64Array;
}

interface Slot {
  readonly info: RunSession;
  readonly run: LoadedRun;
  readonly local: number;
}

/** Matching docs as parallel lists: a common word matches most of the library, too many for an object each. */
interface Candidates {
  /** The session as it was when matched: a merge or delete settling mid-query must not pull it from under the page. */
  readonly info: RunSession[];
  readonly doc: number[];
  readonly kind: number[];
  readonly rounded: number[];
}

/** One run's matches in dense arrays (numbered by `docBase`): docs with `matched === all` matched every word. */
interface Scored {
  readonly run: LoadedRun;
  /** The sessions the run owned when scored. */
  readonly owners: readonly (RunSession | undefined)[];
  readonly all: number;
  readonly matched: Uint16Array;
  readonly sum: Float64Array;
  readonly kindOf: Uint8Array;
}

interface Candidate {
  readonly info: RunSession;
  readonly doc: number;
  readonly kind: number;
  readonly rounded: number;
}

/**
 * The index as a set of runs: heads in memory, shards read on demand. Each
 * session is owned by the newest run that holds it; older copies (a session
 * indexed again) and deleted sessions stay in their runs until a merge drops
 * them, and are skipped here. Document frequencies include those stale copies
 * until then, as in other merge-based indexes.
 */
export function createSearchIndex(reader: IndexReader) {
  const runs = new Map<string, LoadedRun>();
  const stats = createTermStats(function* () {
    for (const run of runs.values()) yield run.head;
  });
  const slots: (Slot | undefined)[] = [];
  const owners = new Map<string, number>();
  let docCount = 0;
  let wordCount = 0;

  function release(sessionId: string): void {
    const slot = owners.get(sessionId);
    if (slot === undefined) return;
    const held = slots[slot]!;
    held.run.slots[held.local] = -1;
    slots[slot] = undefined;
    owners.delete(sessionId);
    docCount -= held.info.docs;
    wordCount -= held.info.words;
  }

  function addRun(head: RunHead): LoadedRun {
    const docBase = new Float64Array(head.sessions.length + 1);
    for (const [local, info] of head.sessions.entries()) docBase[local + 1] = docBase[local]! + info.docs;
    const run: LoadedRun = { head, layout: layoutOf(head), slots: new Int32Array(head.sessions.length), docBase };
    runs.set(head.id, run);
    for (const [local, info] of head.sessions.entries()) {
      release(info.id);
      const slot = slots.length;
      slots.push({ info, run, local });
      run.slots[local] = slot;
      owners.set(info.id, slot);
      docCount += info.docs;
      wordCount += info.words;
    }
    return run;
  }

  function removeRun(id: string): void {
    const run = runs.get(id);
    if (run === undefined) return;
    for (const [local, info] of run.head.sessions.entries()) if (run.slots[local]! >= 0) release(info.id);
    runs.delete(id);
  }

  function passes(info: RunSession, query: ParsedQuery, options: SearchOptions): boolean {
    if (options.isLive !== undefined && !options.isLive(info.id)) return false;
    if (query.before !== undefined && info.startedAt >= query.before) return false;
    if (query.after !== undefined && info.startedAt < query.after) return false;
    for (const tag of query.tags) if (!info.tags.includes(tag)) return false;
    for (const app of query.apps) if (!info.apps.some((name) => name.includes(app))) return false;
    return true;
  }

  function containsPhrase(text: string, phrase: readonly string[]): boolean {
    const tokens = tokenize(text);
    outer: for (let i = 0; i + phrase.length <= tokens.length; i++) {
      for (let j = 0; j < phrase.length; j++) if (tokens[i + j]!.term !== phrase[j]) continue outer;
      return true;
    }
    return false;
  }

  /**
   * Docs of one run matching every word (each word: its best expansion), in
   * dense arrays numbered by `docBase` (a run's own sessions are disjoint
   * from every other run's, so a doc's words all come from one run).
   */
  async function scoreRun(run: LoadedRun, words: readonly Map<string, number>[], allowed: (slot: number) => boolean, avgLength: number): Promise<Scored | undefined> {
    const total = run.docBase[run.head.sessions.length]!;
    const best = new Float64Array(total);
    const sum = new Float64Array(total);
    const matched = new Uint16Array(total);
    const kindOf = new Uint8Array(total);
    const lengthNorm = (K1 * B) / avgLength;
    const base = K1 * (1 - B);
    let touched: number[] = [];
    for (const [w, expansion] of words.entries()) {
      touched = [];
      for (const [term, weight] of expansion) {
        const t = findTerm(run.head.terms, term);
        if (t === -1) continue;
        const termIdf = stats.idf(term, docCount) * weight;
        const bytes = await reader.shard(run.head.id, run.layout.shardOf[t]!);
        scoreTerm(bytes, run.layout.offsetOf[t]!, run.head.bytes[t]!, run, w, termIdf, lengthNorm, base, allowed, { matched, best, kindOf, touched });
      }
      settleWord(touched, sum, best, matched, w);
      if (touched.length === 0) return undefined;
    }
    return { run, owners: Array.from(run.slots, (slot) => slots[slot]?.info), all: words.length, matched, sum, kindOf };
  }

  async function search(query: ParsedQuery, options: SearchOptions = {}): Promise<SearchResult> {
    const limit = options.limit ?? 20;
    const perSession = options.perSession ?? 5;
    const kinds = query.kinds.length > 0 ? new Set(query.kinds.map((kind) => KINDS.indexOf(kind))) : undefined;
    const avgLength = docCount === 0 ? 1 : Math.max(1, wordCount / docCount);
    const expansions = query.words.map((word) => stats.expand(word));
    if (expansions.some((expansion) => expansion.size === 0)) return { hits: [], total: 0 };
    const verdict = new Int8Array(slots.length);
    const allowed = (slot: number) => {
      if (verdict[slot] === 0) verdict[slot] = passes(slots[slot]!.info, query, options) ? 1 : -1;
      return verdict[slot] === 1;
    };
    const phraseTerms = query.phrases.map((phrase) => new Map(phrase.map((term) => [term, 1] as const)));
    const highlight = new Set<string>();
    for (const expansion of [...expansions, ...phraseTerms]) for (const term of expansion.keys()) highlight.add(term);
    const candidates: Candidates = { info: [], doc: [], kind: [], rounded: [] };
    if (!hasText(query)) {
      for (const [slot, held] of slots.entries()) {
        if (held === undefined || !allowed(slot)) continue;
        let doc = -1;
        let kind = -1;
        for (const [k, first] of held.info.first.entries()) {
          if (first < 0 || (kinds !== undefined && !kinds.has(k))) continue;
          if (doc === -1 || first < doc) [doc, kind] = [first, k];
        }
        if (doc === -1) continue;
        candidates.info.push(held.info);
        candidates.doc.push(doc);
        candidates.kind.push(kind);
        candidates.rounded.push(0);
      }
    } else {
      const words = [...expansions, ...phraseTerms.flatMap((terms) => [...terms].map(([term]) => new Map([[term, 1]])))];
      const scored: Scored[] = [];
      // The runs as they are now: one a merge adds mid-query holds sessions already scored from its inputs.
      for (const run of [...runs.values()]) {
        const found = await scoreRun(run, words, allowed, avgLength);
        if (found !== undefined) scored.push(found);
      }
      const parts = scored.map((found) => scoresOf(found, kinds));
      const n = parts.reduce((count, part) => count + part.length, 0);
      // Only the best part becomes candidates (every match tied with its last one included); all of them only if the page is not full from it.
      const best = Math.max(1_000, limit * perSession * 8);
      if (n > best) {
        const joined = new Float64Array(n);
        let at = 0;
        for (const part of parts) {
          joined.set(part, at);
          at += part.length;
        }
        const threshold = kthLargest(joined, best);
        for (const found of scored) collectMatches(found, kinds, threshold, candidates);
        const first = await walk(toList(candidates), query, highlight, limit, perSession);
        if (first.hits.length >= limit) return { hits: first.hits, total: n - first.rejected };
        for (const list of Object.values(candidates) as unknown[][]) list.length = 0;
      }
      for (const found of scored) collectMatches(found, kinds, Number.NEGATIVE_INFINITY, candidates);
    }
    const all = await walk(toList(candidates), query, highlight, limit, perSession);
    return { hits: all.hits, total: candidates.info.length - all.rejected };
  }

  async function walk(candidates: Candidate[], query: ParsedQuery, highlight: Set<string>, limit: number, perSession: number): Promise<{ hits: SearchHit[]; rejected: number }> {
    const info = (c: Candidate) => c.info;
    candidates.sort((a, b) => b.rounded - a.rounded || info(b).startedAt - info(a).startedAt || (info(a).id < info(b).id ? -1 : info(a).id > info(b).id ? 1 : 0) || a.doc - b.doc);
    const perCount = new Map<string, number>();
    const hits: SearchHit[] = [];
    let rejected = 0;
    let prefetched = 0;
    for (const [i, candidate] of candidates.entries()) {
      if (hits.length >= limit) break;
      const session = info(candidate);
      const seen = perCount.get(session.id) ?? 0;
      if (seen >= perSession) continue;
      if (i >= prefetched) {
        // The next entries' chunks are read together: one at a time, a phrase's rejections waited on each read.
        const ahead = candidates.slice(i, i + PREFETCH).filter((c) => (perCount.get(c.info.id) ?? 0) < perSession);
        await Promise.all(ahead.map((c) => reader.doc(c.info.id, c.doc)));
        prefetched = i + PREFETCH;
      }
      const entry = await reader.doc(session.id, candidate.doc);
      // A segment out of step with its run (being indexed again) cannot show the entry: skip it.
      if (entry === undefined || KINDS.indexOf(entry.kind) !== candidate.kind) {
        rejected++;
        continue;
      }
      // Word order is checked only as far as the page needs.
      if (query.phrases.length > 0 && !query.phrases.every((phrase) => containsPhrase(entry.text, phrase))) {
        rejected++;
        continue;
      }
      perCount.set(session.id, seen + 1);
      hits.push({
        sessionId: session.id,
        sessionName: session.name,
        startedAt: session.startedAt,
        kind: entry.kind,
        startMs: entry.startMs,
        endMs: entry.endMs,
        ...(entry.ref === undefined ? {} : { ref: entry.ref }),
        snippet: snippetOf(entry.text, (term) => highlight.has(term)),
        score: candidate.rounded,
      });
    }
    return { hits, rejected };
  }

  return {
    addRun,
    removeRun,
    /** A deleted session: its entries are never returned again. */
    dropSession: release,
    runs: () => [...runs.values()],
    getRun: (id: string) => runs.get(id),
    /** The run owning a session, if any. */
    ownerOf(sessionId: string): string | undefined {
      const slot = owners.get(sessionId);
      return slot === undefined ? undefined : slots[slot]!.run.head.id;
    },
    sessions: () => [...owners.keys()],
    clear(): void {
      runs.clear();
      slots.length = 0;
      owners.clear();
      docCount = 0;
      wordCount = 0;
    },
    search,
  };
}

export type SearchIndex = ReturnType<typeof createSearchIndex>;

/** The k-th largest value (quickselect, in place): ordering all of a common word's matches cost more than scoring them. */
export function kthLargest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = values.length - k;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target]!;
  }
  return values[target]!;
}

/**
 * One term's postings in one run, scored into the dense arrays (a doc counts
 * only if it matched every earlier word). Synchronous and inlined
 * (decodePostings' layout): inside the async caller the loop stayed slow.
 */
function scoreTerm(
  bytes: Uint8Array,
  start: number,
  length: number,
  run: LoadedRun,
  w: number,
  termIdf: number,
  lengthNorm: number,
  base: number,
  allowed: (slot: number) => boolean,
  into: { readonly matched: Uint16Array; readonly best: Float64Array; readonly kindOf: Uint8Array; readonly touched: number[] },
): void {
  const { matched, best, kindOf, touched } = into;
  let pos = start;
  const end = start + length;
  const next = (): number => {
    let byte = bytes[pos++]!;
    if (byte < 0x80) return byte;
    let value = byte & 0x7f;
    let scale = 0x80;
    for (;;) {
      if (pos >= end) throw new RangeError("posting list ends mid-number");
      byte = bytes[pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  };
  let local = -1;
  while (pos < end) {
    local += next();
    const count = next();
    const slot = run.slots[local] ?? -1;
    if (slot < 0 || !allowed(slot)) {
      for (let i = 0; i < count * 3; i++) next();
      continue;
    }
    const first = run.docBase[local]!;
    let doc = -1;
    for (let i = 0; i < count; i++) {
      doc += next();
      const tf = next();
      const packed = next();
      const at = first + doc;
      if (matched[at] !== w) continue;
      const kind = packed & 15;
      const value = (termIdf * tf * (K1 + 1)) / (tf + base + lengthNorm * ((packed - kind) / 16));
      if (best[at] === 0) {
        touched.push(at);
        kindOf[at] = kind;
      }
      if (value > best[at]!) best[at] = value;
    }
  }
}

/** The rounded scores of a run's matches that `collectMatches` would keep with no threshold. */
function scoresOf(scored: Scored, kinds: Set<number> | undefined): Float64Array {
  const { run, owners, all, matched, sum, kindOf } = scored;
  const total = run.docBase[run.head.sessions.length]!;
  const out = new Float64Array(total);
  let n = 0;
  let local = 0;
  for (let at = 0; at < total; at++) {
    if (matched[at] !== all) continue;
    const kind = kindOf[at]!;
    if (kinds !== undefined && !kinds.has(kind)) continue;
    while (run.docBase[local + 1]! <= at) local++;
    if (owners[local] === undefined) continue;
    out[n++] = Math.round(sum[at]! * KIND_WEIGHTS[kind]! * 1000) / 1000;
  }
  return out.subarray(0, n);
}

/** Candidates as objects, for the page's ordering. */
function toList(candidates: Candidates): Candidate[] {
  return candidates.info.map((info, i) => ({ info, doc: candidates.doc[i]!, kind: candidates.kind[i]!, rounded: candidates.rounded[i]! }));
}

/** Adds a word's best scores into the sums and marks its docs as matched so far (sync: loops in async functions stayed slow). */
function settleWord(touched: readonly number[], sum: Float64Array, best: Float64Array, matched: Uint16Array, w: number): void {
  for (const at of touched) {
    sum[at]! += best[at]!;
    best[at] = 0;
    matched[at] = w + 1;
  }
}

/** The docs of a run that matched every word, in doc order (a scan of the dense arrays is cheaper than sorting). */
function collectMatches(scored: Scored, kinds: Set<number> | undefined, min: number, out: Candidates): void {
  const { run, owners, all, matched, sum, kindOf } = scored;
  const total = run.docBase[run.head.sessions.length]!;
  let local = 0;
  for (let at = 0; at < total; at++) {
    if (matched[at] !== all) continue;
    const kind = kindOf[at]!;
    if (kinds !== undefined && !kinds.has(kind)) continue;
    while (run.docBase[local + 1]! <= at) local++;
    const info = owners[local];
    if (info === undefined) continue;
    const score = sum[at]! * KIND_WEIGHTS[kind]!;
    if (Math.round(score * 1000) / 1000 < min) continue;
    out.info.push(info);
    out.doc.push(at - run.docBase[local]!);
    out.kind.push(kind);
    out.rounded.push(Math.round(score * 1000) / 1000);
  }
}
