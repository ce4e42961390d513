import type { SessionMetadata } from "../domain/index.ts";
import type { Storage } from "./types.ts";

/** Matches the storage feature's GC grace: a fresh orphan may be a capture about to reference it. */
const GC_GRACE_MS = 60 * 60 * 1000;

const DAY_MS = 24 * 3_600_000;

/**
 * Sessions the retention setting lets go: finished (completed or interrupted) and
 * ended more than `days` ago. Sessions still recording, or with no end time, are kept.
 */
export function sessionsPastRetention(sessions: readonly SessionMetadata[], now: number, days: number): SessionMetadata[] {
  const cutoff = now - days * DAY_MS;
  return sessions.filter((s) => (s.status === "completed" || s.status === "interrupted") && s.endedAt !== undefined && s.endedAt < cutoff);
}

export interface RetentionReport {
  readonly deleted: string[];
  readonly freedBytes: number;
}

/**
 * Deletes what {@link sessionsPastRetention} selects, except sessions `keep` says
 * are busy (an enrichment job running), then removes the attachments nothing uses.
 */
export async function applyRetention(storage: Storage, options: { readonly now: number; readonly days: number; readonly keep?: (sessionId: string) => boolean }): Promise<RetentionReport> {
  const { sessions } = await storage.sessions.listMetadata({ statuses: ["completed", "interrupted"] });
  const deleted: string[] = [];
  for (const session of sessionsPastRetention(sessions, options.now, options.days)) {
    if (options.keep?.(session.id) === true) continue;
    if (await storage.sessions.deleteSession(session.id)) deleted.push(session.id);
  }
  const gc = deleted.length > 0 ? await storage.attachments.deleteOrphanedAttachments(options.now - GC_GRACE_MS) : { freedBytes: 0 };
  return { deleted, freedBytes: gc.freedBytes };
}
