/**
 * The head of the list index file: what listing needs of every session
 * (status, start, tags, topics) in list order, and where each full entry lies
 * in the file. A new process lists from the head and parses only the entries
 * it returns, so opening a library of 10,000 sessions does not parse 10,000
 * entries. The head lives in the index file itself, written by the same
 * atomic write, so it can never describe another version of the entries.
 *
 * File layout (still one JSON document with `v` and `sessions`):
 * `{"v":1,"listHead":"NNNNNNNNNN","gen":"<16 hex>","list":<head>,"sessions":[…]}`
 * where `listHead` is the byte length of everything up to the end of `<head>`.
 */
import type { SessionMetadata } from "../domain/index.ts";
import type { ByteRange } from "../host/index.ts";
import { decodeUtf8, encodeUtf8 } from "./codec.ts";
import { sameBytes } from "./session-reads.ts";
import type { ListFilter, ListResult } from "./types.ts";

const PREFIX = /^\{"v":1,"listHead":"(\d{10})","gen":"([0-9a-f]{16})","list":$/;
/** Bytes of the fixed-width prefix up to the head. */
export const PREFIX_BYTES = 63;
const SESSIONS_OPEN = `,"sessions":[`;

/**
 * The head as stored: one row per session, newest first (the list order, also
 * the entries' order). Arrays and per-value row lists, so a new process gets
 * them from one native JSON.parse and filters without walking every row.
 */
interface Head {
  readonly n: number;
  readonly statuses: string[];
  /** One digit per row: the index of its status in `statuses`. */
  readonly status: string;
  /** Each row's start, descending. */
  readonly start: number[];
  /** Each entry's offset from the first entry's first byte, and its length, in bytes. */
  readonly at: number[];
  readonly len: number[];
  /** For each tag, the rows carrying it, ascending. */
  readonly tags: Record<string, number[]>;
  /** For each topic, the rows carrying it, ascending. */
  readonly topics: Record<string, number[]>;
}

/** Newest first; equal starts by id (the list order). */
export const listOrder = (a: SessionMetadata, b: SessionMetadata) => b.startedAt - a.startedAt || (a.id < b.id ? -1 : 1);

/** An entry as encoded for the file: its JSON and byte length. */
export interface EncodedEntry {
  readonly metadata: SessionMetadata;
  readonly json: string;
  readonly bytes: number;
}


/** The whole index file for `entries`, written in list order with its head. */
export function encodeIndexFile(entries: readonly EncodedEntry[], gen: string): Uint8Array {
  const rows = [...entries].sort((a, b) => listOrder(a.metadata, b.metadata));
  const statuses: string[] = [];
  const tags = new Map<string, number[]>();
  const topics = new Map<string, number[]>();
  const note = (values: readonly string[], into: Map<string, number[]>, row: number) => {
    for (const value of new Set(values)) {
      let list = into.get(value);
      if (list === undefined) into.set(value, (list = []));
      list.push(row);
    }
  };
  let status = "";
  const start: number[] = [];
  const at: number[] = [];
  let offset = 0;
  for (const [row, { metadata, bytes }] of rows.entries()) {
    let code = statuses.indexOf(metadata.status);
    if (code < 0) code = statuses.push(metadata.status) - 1;
    status += code; // more than ten statuses make the column too long, and readers fall back to the whole file
    start.push(metadata.startedAt);
    at.push(offset);
    offset += bytes + 1;
    note(metadata.tags, tags, row);
    note(metadata.topicIds, topics, row);
  }
  const head: Head = { n: rows.length, statuses, status, start, at, len: rows.map((row) => row.bytes), tags: Object.fromEntries(tags), topics: Object.fromEntries(topics) };
  const headJson = JSON.stringify(head);
  const listHead = PREFIX_BYTES + encodeUtf8(headJson).length;
  const prefix = `{"v":1,"listHead":"${String(listHead).padStart(10, "0")}","gen":"${gen}","list":`;
  return encodeUtf8(`${prefix}${headJson}${SESSIONS_OPEN}${rows.map((row) => row.json).join(",")}]}`);
}

/** Reads spans of the index file; undefined when the file is missing. */
export type RangeReader = (ranges: readonly ByteRange[]) => Promise<Uint8Array[] | undefined>;

/** A list index answered from the file's head, parsing only the entries it returns. */
export interface LazyList {
  readonly size: number;
  /** The list, or undefined when the file no longer agrees with its head (the caller loads it whole). */
  list(filter: ListFilter): Promise<ListResult | undefined>;
}

const isRowLists = (value: unknown) => typeof value === "object" && value !== null && Object.values(value).every(Array.isArray);

/**
 * Opens the lazy list from the file's prefix and head; undefined when the
 * file has none or its shape is wrong (an older file, damage): the caller then
 * loads the index whole, which also rebuilds a broken one.
 */
export async function openLazyList(read: RangeReader): Promise<LazyList | undefined> {
  try {
    const [prefixBytes] = (await read([{ offset: 0, length: PREFIX_BYTES }])) ?? [];
    if (prefixBytes === undefined) return undefined;
    const match = PREFIX.exec(decodeUtf8(prefixBytes));
    if (match === null) return undefined;
    const headEnd = Number(match[1]);
    const [headBytes] = (await read([{ offset: PREFIX_BYTES, length: headEnd - PREFIX_BYTES }])) ?? [];
    if (headBytes === undefined) return undefined;
    const head = JSON.parse(decodeUtf8(headBytes)) as Partial<Head>;
    const { n, statuses, status, start, at, len, tags, topics } = head;
    const shaped = Number.isInteger(n) && n! >= 0 && [start, at, len, status].every((a) => (Array.isArray(a) || typeof a === "string") && a.length === n);
    if (!shaped || !Array.isArray(statuses) || statuses.length > 10 || !statuses.every((s) => typeof s === "string") || !isRowLists(tags) || !isRowLists(topics)) return undefined;
    return createLazyList(read, prefixBytes, headEnd + SESSIONS_OPEN.length, head as Head);
  } catch {
    return undefined;
  }
}

/** The first of `0..n` for which `after` turns false (it holds for a prefix only). */
function firstNot(lo: number, n: number, after: (i: number) => boolean): number {
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (after(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
const lowerBound = (rows: readonly number[], row: number) => firstNot(0, rows.length, (i) => rows[i]! < row);

function createLazyList(read: RangeReader, prefixBytes: Uint8Array, entriesStart: number, head: Head): LazyList {
  const rowsOf = (lists: Record<string, number[]>, value: string): number[] => (Object.hasOwn(lists, value) ? lists[value]! : []);

  /** The rows (ascending, so in list order) that pass the filter by the same rules as `matchesFilter`. */
  function matchingRows(filter: ListFilter): number[] {
    const { n, start } = head;
    // Starts descend with the row: the time window is one span of rows.
    const { startBefore, startAfter } = filter;
    const first = startBefore === undefined ? 0 : firstNot(0, n, (i) => start[i]! >= startBefore);
    const end = startAfter === undefined ? n : firstNot(first, n, (i) => start[i]! > startAfter);
    if (first >= end) return [];
    // Candidates: the rows of the rarest wanted tag in the span, else the whole span.
    const wantTags = [...new Set(filter.tags ?? [])].map((tag) => rowsOf(head.tags, tag)).sort((a, b) => a.length - b.length);
    const candidates = wantTags.length > 0 ? wantTags[0]!.slice(lowerBound(wantTags[0]!, first), lowerBound(wantTags[0]!, end)) : Array.from({ length: end - first }, (_, i) => first + i);
    const otherTags = wantTags.slice(1).map((rows) => new Set(rows));
    const topicRows = filter.topicIds !== undefined && filter.topicIds.length > 0 ? new Set(filter.topicIds.flatMap((topic) => rowsOf(head.topics, topic))) : undefined;
    const statusOk = head.statuses.map((status) => (filter.status === undefined || status === filter.status) && (filter.statuses === undefined || filter.statuses.includes(status as never)));
    const out: number[] = [];
    for (const row of candidates) {
      if (statusOk[head.status.charCodeAt(row) - 48] !== true) continue;
      if (otherTags.length > 0 && !otherTags.every((rows) => rows.has(row))) continue;
      if (topicRows !== undefined && !topicRows.has(row)) continue;
      out.push(row);
    }
    return out;
  }

  return {
    size: head.n,
    async list(filter) {
      try {
        const matches = matchingRows(filter);
        const offset = Math.max(0, filter.offset ?? 0);
        const end = filter.limit === undefined ? undefined : offset + Math.max(0, filter.limit);
        const rows = matches.slice(offset, end);
        // The prefix again, read with the entries: a file replaced since the head was read shows a new generation.
        // Each span takes the byte after its entry too ("," or the closing "]"), so together they make one JSON array.
        const spans = await read([{ offset: 0, length: PREFIX_BYTES }, ...rows.map((row) => ({ offset: entriesStart + head.at[row]!, length: head.len[row]! + 1 }))]);
        if (spans === undefined || !sameBytes(spans[0]!, prefixBytes)) return undefined;
        // One decode and one parse for all of them: per-entry calls cost more than the bytes.
        let at = 1;
        const joined = new Uint8Array(spans.reduce((sum, span) => sum + span.length, 1 - PREFIX_BYTES));
        joined[0] = 0x5b; // [
        for (const span of spans.slice(1)) joined.set(span, (at += span.length) - span.length);
        joined[at - 1] = 0x5d; // ]
        const entries = (rows.length === 0 ? [] : JSON.parse(decodeUtf8(joined))) as unknown[];
        if (entries.length !== rows.length) return undefined;
        // Each entry must be one listing may return, at its row's place, and pass the filter itself.
        for (let i = 0; i < rows.length; i++) {
          const entry = entries[i];
          const row = rows[i]!;
          if (!plausibleEntry(entry) || entry.startedAt !== head.start[row] || entry.status !== head.statuses[head.status.charCodeAt(row) - 48] || !matchesFilter(entry, filter)) return undefined;
        }
        return { sessions: entries as SessionMetadata[], total: matches.length };
      } catch {
        return undefined;
      }
    },
  };
}

/** The list filter as a pure predicate (also the model in property tests). */
export function matchesFilter(metadata: SessionMetadata, filter: ListFilter): boolean {
  if (filter.status !== undefined && metadata.status !== filter.status) return false;
  if (filter.statuses !== undefined && !filter.statuses.includes(metadata.status)) return false;
  if (filter.startAfter !== undefined && !(metadata.startedAt > filter.startAfter)) return false;
  if (filter.startBefore !== undefined && !(metadata.startedAt < filter.startBefore)) return false;
  if (filter.tags !== undefined && !filter.tags.every((tag) => metadata.tags.includes(tag))) return false;
  if (filter.topicIds !== undefined && filter.topicIds.length > 0 && !filter.topicIds.some((topic) => metadata.topicIds.includes(topic))) return false;
  return true;
}

const STATUSES = new Set(["active", "paused", "completed", "interrupted"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isRefs = (value: unknown) => typeof value === "object" && value !== null && typeof (value as { itemCount?: unknown }).itemCount === "number" && Array.isArray((value as { lostChunks?: unknown }).lostChunks);

/**
 * What listing relies on of an entry. Entries were validated when written, so
 * this structural check stands in for the full schema on the read path.
 */
export function plausibleEntry(entry: unknown): entry is SessionMetadata {
  const e = entry as Record<string, unknown> | null;
  return (
    e !== null &&
    typeof e === "object" &&
    e.schemaVersion === 2 &&
    typeof e.id === "string" &&
    UUID.test(e.id) &&
    typeof e.name === "string" &&
    typeof e.status === "string" &&
    STATUSES.has(e.status) &&
    typeof e.startedAt === "number" &&
    typeof e.activeDurationMs === "number" &&
    Array.isArray(e.tags) &&
    Array.isArray(e.topicIds) &&
    Array.isArray(e.extractedTaskIds) &&
    Array.isArray(e.extractedNoteIds) &&
    isRefs(e.screenshots) &&
    isRefs(e.audio) &&
    typeof e.sizeBytes === "number"
  );
}
