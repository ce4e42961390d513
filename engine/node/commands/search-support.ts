import type { Engine } from "../../src/engine/index.ts";
import { markSnippet, type SearchHit, type SearchResult } from "../../src/search/index.ts";
import { CommandFailure } from "./command.ts";

let requestId = 0;

/**
 * Calls an engine method through the bridge, the same path the panel and the
 * Mac app take (and a data folder's owner answers, when one runs).
 */
export async function callEngine<T>(engine: Engine, method: string, params: unknown): Promise<T> {
  const reply = await engine.handle({ v: 1, id: `cli-${++requestId}`, method, params });
  if (reply === undefined) throw new CommandFailure(`${method} did not answer`);
  if ("error" in reply) throw new CommandFailure(reply.error.message, reply.error.code === "search.invalid_query" ? 'Filters: app:, tag: or #tag, kind:, before:/after: (YYYY-MM-DD); quote phrases: "release notes".' : undefined);
  return reply.result as T;
}

/** The caller's UTC offset in minutes, east positive, so `before:2026-03-01` means local midnight. */
export const localUtcOffsetMinutes = (at: number): number => -new Date(at).getTimezoneOffset();

export function searchSessions(engine: Engine, query: string, limit: number): Promise<SearchResult> {
  return callEngine<SearchResult>(engine, "search.query", { query, limit, utcOffsetMinutes: localUtcOffsetMinutes(engine.context.host.clock.now()) });
}

/** `m:ss` or `h:mm:ss` into the session. */
export function formatMoment(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = `${String(s % 60).padStart(2, "0")}`;
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

function localDate(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** One line per hit: `session · time · kind · snippet`. */
export function hitLine(hit: SearchHit): string {
  return `${hit.sessionName || "Untitled session"} (${hit.sessionId.slice(0, 8)}) · ${localDate(hit.startedAt)} +${formatMoment(hit.startMs)} · ${hit.kind} · ${markSnippet(hit.snippet)}`;
}
