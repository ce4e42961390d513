import type { ListQuery, SessionRow } from "./review-schemas.ts";

/** Applies a list query: text matches name or a tag (case-insensitive), status and date filters, newest first. */
export function filterSessions(rows: readonly SessionRow[], query: ListQuery): SessionRow[] {
  const text = query.text?.trim().toLowerCase() ?? "";
  const statuses = query.statuses !== undefined && query.statuses.length > 0 ? new Set(query.statuses) : undefined;
  const out = rows.filter((row) => {
    if (statuses !== undefined && !statuses.has(row.status)) return false;
    if (query.from !== undefined && row.startedAt < query.from) return false;
    if (query.to !== undefined && row.startedAt > query.to) return false;
    if (text.length > 0) {
      const inName = row.name.toLowerCase().includes(text);
      const inTags = row.tags.some((tag) => tag.toLowerCase().includes(text.replace(/^#/, "")));
      if (!inName && !inTags) return false;
    }
    return true;
  });
  out.sort((a, b) => b.startedAt - a.startedAt || a.id.localeCompare(b.id));
  return query.limit === undefined ? out : out.slice(0, query.limit);
}
