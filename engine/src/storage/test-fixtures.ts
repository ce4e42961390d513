import type { SessionMetadataInput, SessionScreenshotInput } from "../domain/index.ts";

/** A deterministic valid session id for tests. */
export function sessionIdFor(n: number): string {
  const hex = n.toString(16).padStart(12, "0");
  return `00000000-0000-4000-8000-${hex}`;
}

export function newSessionMetadata(id: string, overrides: Partial<SessionMetadataInput> = {}): SessionMetadataInput {
  return { schemaVersion: 2, id, name: `Session ${id.slice(-4)}`, status: "active", startedAt: 1_700_000_000_000, activeDurationMs: 0, ...overrides };
}

export function screenshotOf(n: number, attachmentId: string): SessionScreenshotInput {
  return { sequenceNumber: n, capturedAt: 1_700_000_000_000 + n * 5000, sessionTimeMs: n * 5000, attachmentId, width: 1440, height: 900 };
}
