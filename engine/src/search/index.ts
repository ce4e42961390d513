/**
 * Search: full-text search over everything Stint knows about a session.
 *
 * ```ts
 * const search = ctx.features.get("search") as SearchFeature;
 * const { hits } = await search.query({ query: 'deploy "release notes" app:code after:2026-03-01' });
 * ```
 *
 * - {@link documentsOf}: a session's records as entries (name, tags, markers,
 *   transcript segments, screen text, apps, summary points, chapters, tasks,
 *   notes), each with its moment in session time.
 * - {@link parseQuery}: words, `prefix*`, "phrases", `app:`, `tag:`/`#tag`,
 *   `kind:`, `before:`/`after:`; typo tolerance for words of five letters or more.
 * - {@link createSearchIndex}: BM25 ranking weighted by kind, recency as the
 *   tiebreak, highlighted snippets.
 * - {@link createSearchFeature}: persistence (per session a segment with its
 *   entries in chunks; postings in term-range sharded runs listed by
 *   `search/manifest.json`, merged as they accumulate, so a query reads only
 *   its terms' shards), dirty marks committed with every record change,
 *   `verify`/`repair`, and the bridge methods `search.query`, `search.verify`,
 *   `search.repair`.
 */
export { documentsOf, SearchKindSchema, type SearchDocument, type SearchKind, type SessionSource } from "./documents.ts";
export { parseQuery, type ParsedQuery, type QueryWord } from "./query.ts";
export { createSearchIndex, type SearchHit, type SearchIndex, type SearchOptions, type SearchResult } from "./search-index.ts";
export { buildSegment } from "./segment.ts";
export { markSnippet, snippetOf, type Snippet } from "./snippet.ts";
export { createSearchFeature, SearchQueryParamsSchema, type SearchFeature, type SearchFeatureOptions, type SearchQueryParams, type SearchVerifyReport } from "./search-feature.ts";
export { INDEX_VERSION, segmentKey, dirtyKey, sessionOfKey } from "./search-store.ts";
