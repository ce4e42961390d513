import * as z from "zod";
import { SearchKindSchema, type SearchDocument } from "./documents.ts";
import { terms } from "./text.ts";

/**
 * One session's part of the index: its entries (text kept for snippets and
 * phrases) and what the filters need; stored by segment-store in chunks.
 * Its postings go into a run (run.ts); a segment is tokenized again only to
 * build a run from it.
 */
export const StoredSegmentSchema = z.object({
  v: z.literal(1),
  sessionId: z.string(),
  startedAt: z.number(),
  name: z.string(),
  tags: z.array(z.string()),
  // Rows are checked by hand in decodeDocs: a zod tuple per entry cost more than the rest of loading.
  docs: z.array(z.array(z.unknown())),
});
type DocRow = [number, number, number, string | null, string, string[]?];
export type StoredSegment = Omit<z.infer<typeof StoredSegmentSchema>, "docs"> & { docs: DocRow[] };

// Text and kind decide whether an entry is usable; a bad time or ref is caught by verify's comparison.
const isRow = (row: readonly unknown[]): row is DocRow => typeof row[0] === "number" && typeof row[4] === "string";

const KINDS = SearchKindSchema.options;

export function encodeSegment(meta: { sessionId: string; startedAt: number; name: string; tags: readonly string[] }, docs: readonly SearchDocument[]): StoredSegment {
  return {
    v: 1,
    sessionId: meta.sessionId,
    startedAt: meta.startedAt,
    name: meta.name,
    tags: [...meta.tags],
    docs: docs.map((doc) => {
      const row: StoredSegment["docs"][number] = [KINDS.indexOf(doc.kind), doc.startMs, doc.endMs, doc.ref ?? null, doc.text];
      if (doc.apps !== undefined) row.push([...doc.apps]);
      return row;
    }),
  };
}

/** One stored row as an entry, or undefined when malformed (only the kind number can still be out of range once the file parsed). */
export function decodeRow(row: readonly unknown[]): SearchDocument | undefined {
  if (!isRow(row)) return undefined;
  const [kind, startMs, endMs, ref, text, apps] = row;
  const name = KINDS[kind];
  if (name === undefined) return undefined;
  return { kind: name, startMs, endMs, text, ...(ref === null ? {} : { ref }), ...(apps === undefined ? {} : { apps }) };
}

export function decodeDocs(stored: z.infer<typeof StoredSegmentSchema>): SearchDocument[] {
  const docs: SearchDocument[] = [];
  for (const row of stored.docs) {
    const doc = decodeRow(row);
    if (doc !== undefined) docs.push(doc);
  }
  return docs;
}

/** A segment ready to answer: postings per term (a doc index per occurrence, so repeats count). */
export interface Segment {
  readonly sessionId: string;
  readonly startedAt: number;
  readonly name: string;
  /** Lower case. */
  readonly tags: readonly string[];
  /** Lower case. */
  readonly apps: readonly string[];
  readonly docs: readonly SearchDocument[];
  /** Words per doc. */
  readonly lengths: Uint32Array;
  readonly postings: Map<string, number[]>;
}

export function buildSegment(meta: { sessionId: string; startedAt: number; name: string; tags: readonly string[] }, docs: readonly SearchDocument[]): Segment {
  const postings = new Map<string, number[]>();
  const lengths = new Uint32Array(docs.length);
  for (const [i, doc] of docs.entries()) {
    const words = terms(doc.text);
    lengths[i] = words.length;
    for (const term of words) {
      const list = postings.get(term);
      if (list === undefined) postings.set(term, [i]);
      else list.push(i);
    }
  }
  return {
    sessionId: meta.sessionId,
    startedAt: meta.startedAt,
    name: meta.name,
    tags: meta.tags.map((tag) => tag.toLowerCase()),
    apps: docs.filter((doc) => doc.kind === "app").map((doc) => doc.text.toLowerCase()),
    docs,
    lengths,
    postings,
  };
}
