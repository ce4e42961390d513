import * as z from "zod";
import { SearchKindSchema } from "./documents.ts";
import type { Segment } from "./segment.ts";
import { ByteReader, ByteWriter } from "./varint.ts";

/**
 * A run: the postings of a set of sessions, partitioned by term range into
 * shard files, with a head holding the sessions' filter data and the sorted
 * term dictionary (document frequency and byte length per term). A query
 * reads the heads and only the shards holding its terms; snippets read the
 * segments of the sessions on the page. Runs are merged as they accumulate
 * (see merge-policy), so their number stays logarithmic in the library.
 *
 * A term's postings, per session holding it (sessions ascending):
 * `sessionDelta, docCount, (docDelta, tf, length × 16 + kind) × docCount`.
 * The length and kind are what BM25 and the kind weights need, so scoring
 * never reads a segment.
 */
export const RUN_VERSION = 1;
const KINDS = SearchKindSchema.options;

export const RunSessionSchema = z.object({
  id: z.string(),
  startedAt: z.number(),
  name: z.string(),
  /** Lower case. */
  tags: z.array(z.string()),
  /** Lower case. */
  apps: z.array(z.string()),
  docs: z.number().int().nonnegative(),
  words: z.number().nonnegative(),
  /** Index of the session's first doc of each kind (in SearchKind order), −1 when none. */
  first: z.array(z.number().int()),
});
export type RunSession = z.infer<typeof RunSessionSchema>;

export const RunHeadSchema = z.object({
  v: z.literal(RUN_VERSION),
  id: z.string(),
  sessions: z.array(RunSessionSchema),
  // Checked by hand in checkHead: a zod check per element of a large dictionary costs more than the rest of loading.
  terms: z.custom<unknown[]>(Array.isArray),
  df: z.custom<unknown[]>(Array.isArray),
  bytes: z.custom<unknown[]>(Array.isArray),
  /** The first term of each shard (indices into terms). */
  shards: z.array(z.number().int().nonnegative()),
});
export interface RunHead extends Omit<z.infer<typeof RunHeadSchema>, "terms" | "df" | "bytes"> {
  readonly terms: string[];
  readonly df: number[];
  readonly bytes: number[];
}

/** A head read back, checked: terms sorted strings, counts whole numbers, shard starts ascending. */
export function checkHead(head: z.infer<typeof RunHeadSchema>): RunHead {
  const { terms, df, bytes, shards } = head;
  const bad = () => new Error(`search run ${head.id}: malformed dictionary`);
  if (df.length !== terms.length || bytes.length !== terms.length) throw bad();
  for (let i = 0; i < terms.length; i++) {
    const term = terms[i];
    if (typeof term !== "string" || (i > 0 && !((terms[i - 1] as string) < term))) throw bad();
    const [d, b] = [df[i], bytes[i]];
    if (typeof d !== "number" || typeof b !== "number" || !Number.isInteger(d) || !Number.isInteger(b) || d < 0 || b < 0) throw bad();
  }
  for (let k = 0; k < shards.length; k++) if (shards[k]! >= Math.max(1, terms.length) || (k > 0 && shards[k]! <= shards[k - 1]!)) throw bad();
  if (terms.length > 0 && shards[0] !== 0) throw bad();
  return head as RunHead;
}

/** Where each term's postings sit: shard number and byte offset in it. */
export interface RunLayout {
  readonly shardOf: Uint32Array;
  readonly offsetOf: Float64Array;
}

export function layoutOf(head: RunHead): RunLayout {
  const n = head.terms.length;
  const shardOf = new Uint32Array(n);
  const offsetOf = new Float64Array(n);
  let shard = -1;
  let offset = 0;
  for (let i = 0; i < n; i++) {
    if (shard + 1 < head.shards.length && head.shards[shard + 1] === i) {
      shard++;
      offset = 0;
    }
    shardOf[i] = shard;
    offsetOf[i] = offset;
    offset += head.bytes[i]!;
  }
  return { shardOf, offsetOf };
}

/** Index of `term` in a sorted dictionary, or −1. */
export function findTerm(terms: readonly string[], term: string): number {
  let lo = 0;
  let hi = terms.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (terms[mid]! < term) lo = mid + 1;
    else hi = mid;
  }
  return lo < terms.length && terms[lo] === term ? lo : -1;
}

/** Calls `visit` for every doc of a term's postings. */
export function decodePostings(bytes: Uint8Array, start: number, end: number, visit: (session: number, doc: number, tf: number, length: number, kind: number) => void): void {
  const reader = new ByteReader(bytes, start, end);
  let session = -1;
  while (!reader.done) {
    session += reader.uint();
    const count = reader.uint();
    let doc = -1;
    for (let i = 0; i < count; i++) {
      doc += reader.uint();
      const tf = reader.uint();
      const packed = reader.uint();
      visit(session, doc, tf, Math.floor(packed / 16), packed % 16);
    }
  }
}

export interface BuiltRun {
  readonly head: RunHead;
  readonly shards: Uint8Array[];
}

/** Cuts the concatenated postings into shards of about `target` bytes, at term boundaries. */
class ShardCutter {
  readonly terms: string[] = [];
  readonly df: number[] = [];
  readonly bytes: number[] = [];
  readonly starts: number[] = [];
  readonly shards: Uint8Array[] = [];
  readonly out = new ByteWriter();

  constructor(private readonly target: number) {}

  /** Adds a term whose postings were just written to `out` from byte `from` on. */
  add(term: string, df: number, from: number): void {
    if (df === 0) {
      this.out.length = from;
      return;
    }
    const length = this.out.length - from;
    if (this.starts.length === 0 || (from >= this.target && from > 0)) {
      if (this.starts.length > 0) this.cut(from);
      this.starts.push(this.terms.length);
    }
    this.terms.push(term);
    this.df.push(df);
    this.bytes.push(length);
  }

  /** Closes the shard holding everything before `from`; what follows moves to the next. */
  private cut(from: number): void {
    const tail = this.out.bytes.slice(from, this.out.length);
    this.out.length = from;
    this.shards.push(this.out.take());
    this.out.copy(tail, 0, tail.length);
  }

  finish(id: string, sessions: RunSession[]): BuiltRun {
    if (this.out.length > 0 || this.starts.length > this.shards.length) this.shards.push(this.out.take());
    return { head: { v: RUN_VERSION, id, sessions, terms: this.terms, df: this.df, bytes: this.bytes, shards: this.starts }, shards: this.shards };
  }
}

export function sessionOfSegment(segment: Segment): RunSession {
  const first = KINDS.map((kind) => segment.docs.findIndex((doc) => doc.kind === kind));
  let words = 0;
  for (const length of segment.lengths) words += length;
  return { id: segment.sessionId, startedAt: segment.startedAt, name: segment.name, tags: [...segment.tags], apps: [...segment.apps], docs: segment.docs.length, words, first };
}

/** A run holding `segments` (in that order). */
export function buildRun(id: string, segments: readonly Segment[], shardBytes: number): BuiltRun {
  // Per term: the values to encode, and the last session that wrote into it.
  const lists = new Map<string, { values: number[]; last: number; df: number }>();
  for (const [local, segment] of segments.entries()) {
    const kinds = segment.docs.map((doc) => KINDS.indexOf(doc.kind));
    for (const [term, occurrences] of segment.postings) {
      let list = lists.get(term);
      if (list === undefined) lists.set(term, (list = { values: [], last: -1, df: 0 }));
      list.values.push(local - list.last, 0);
      const countAt = list.values.length - 1;
      list.last = local;
      let previous = -1;
      let i = 0;
      while (i < occurrences.length) {
        const doc = occurrences[i]!;
        let tf = 0;
        while (i < occurrences.length && occurrences[i] === doc) {
          tf++;
          i++;
        }
        list.values.push(doc - previous, tf, segment.lengths[doc]! * 16 + kinds[doc]!);
        previous = doc;
        list.values[countAt]!++;
        list.df++;
      }
    }
  }
  const cutter = new ShardCutter(shardBytes);
  for (const term of [...lists.keys()].sort()) {
    const list = lists.get(term)!;
    const from = cutter.out.length;
    for (const value of list.values) cutter.out.uint(value);
    cutter.add(term, list.df, from);
  }
  return cutter.finish(id, segments.map(sessionOfSegment));
}

export interface MergeInput {
  readonly head: RunHead;
  readonly layout: RunLayout;
  shard(k: number): Promise<Uint8Array>;
  /** Whether this run's session (by position) is carried into the merged run. */
  keep(local: number): boolean;
}

/** One run from several, dropping the sessions `keep` refuses (deleted, or indexed again in a later run). */
export async function mergeRuns(id: string, inputs: readonly MergeInput[], shardBytes: number): Promise<BuiltRun> {
  const remap: Int32Array[] = [];
  const sessions: RunSession[] = [];
  for (const input of inputs) {
    const map = new Int32Array(input.head.sessions.length).fill(-1);
    for (const [local, session] of input.head.sessions.entries()) {
      if (!input.keep(local)) continue;
      map[local] = sessions.length;
      sessions.push(session);
    }
    remap.push(map);
  }
  const cutter = new ShardCutter(shardBytes);
  const cursor = inputs.map(() => 0);
  const loaded: { k: number; bytes: Uint8Array }[] = inputs.map(() => ({ k: -1, bytes: new Uint8Array(0) }));
  for (;;) {
    let term: string | undefined;
    for (const [i, input] of inputs.entries()) {
      const candidate = input.head.terms[cursor[i]!];
      if (candidate !== undefined && (term === undefined || candidate < term)) term = candidate;
    }
    if (term === undefined) break;
    const from = cutter.out.length;
    let df = 0;
    let last = -1;
    for (const [i, input] of inputs.entries()) {
      const t = cursor[i]!;
      if (input.head.terms[t] !== term) continue;
      cursor[i]!++;
      const k = input.layout.shardOf[t]!;
      if (loaded[i]!.k !== k) loaded[i] = { k, bytes: await input.shard(k) };
      const bytes = loaded[i]!.bytes;
      const start = input.layout.offsetOf[t]!;
      const reader = new ByteReader(bytes, start, start + input.head.bytes[t]!);
      let local = -1;
      while (!reader.done) {
        local += reader.uint();
        const count = reader.uint();
        const docsFrom = reader.at;
        for (let j = 0; j < count * 3; j++) reader.uint();
        const target = remap[i]![local] ?? -1;
        if (target < 0) continue;
        cutter.out.uint(target - last);
        cutter.out.uint(count);
        cutter.out.copy(bytes, docsFrom, reader.at);
        last = target;
        df += count;
      }
    }
    cutter.add(term, df, from);
  }
  return cutter.finish(id, sessions);
}
