/**
 * Per-capture-service state, health and metrics for the running session,
 * plus what the integrity report needs (gaps, duplicates, drops). Pure
 * bookkeeping: the health monitor and the notification handler drive it.
 */
import type { CaptureServiceName, CaptureServiceStatus, Gap, SourceIntegrity } from "./schemas.ts";

export const SERVICE_NAMES: readonly CaptureServiceName[] = ["screenshots", "audio", "video"];

type ServiceState = CaptureServiceStatus["state"];
type ServiceHealth = CaptureServiceStatus["health"];

interface ServiceRecord {
  enabled: boolean;
  /** Expected spacing of items in session time (screenshot interval, segment length). */
  intervalMs: number;
  state: ServiceState;
  errorCount: number;
  lastActivity: number | null;
  itemsRecorded: number;
  droppedItems: number;
  duplicates: number;
  latencyTotal: number;
  /** Next sequence number expected from the recorder. */
  nextSequence: number;
  /** Session time and wall time of the last item (for gaps). */
  lastItemSessionMs: number | null;
  lastItemWall: number | null;
  gaps: Gap[];
  /** Active health conditions by key (`stalled`, `drops`, `permission`…), with their severity. */
  conditions: Map<string, ServiceHealth>;
}

export interface ServiceIntervals {
  readonly screenshots: number;
  readonly audio: number;
  readonly video: number;
}

const RANK: Record<ServiceHealth, number> = { healthy: 0, degraded: 1, failed: 2 };

export class CaptureServices {
  private readonly records: Record<CaptureServiceName, ServiceRecord>;
  private readonly stallFactor: number;

  constructor(enabled: Record<CaptureServiceName, boolean>, intervals: ServiceIntervals, stallFactor = 2) {
    this.stallFactor = stallFactor;
    const make = (name: CaptureServiceName): ServiceRecord => ({
      enabled: enabled[name],
      intervalMs: intervals[name],
      state: "idle",
      errorCount: 0,
      lastActivity: null,
      itemsRecorded: 0,
      droppedItems: 0,
      duplicates: 0,
      latencyTotal: 0,
      nextSequence: 0,
      lastItemSessionMs: null,
      lastItemWall: null,
      gaps: [],
      conditions: new Map(),
    });
    this.records = { screenshots: make("screenshots"), audio: make("audio"), video: make("video") };
  }

  isEnabled(service: CaptureServiceName): boolean {
    return this.records[service].enabled;
  }

  intervalMs(service: CaptureServiceName): number {
    return this.records[service].intervalMs;
  }

  /** Moves every enabled service to `state`. */
  setState(state: ServiceState): void {
    for (const name of SERVICE_NAMES) if (this.records[name].enabled) this.records[name].state = state;
  }

  setServiceState(service: CaptureServiceName, state: ServiceState): void {
    this.records[service].state = state;
  }

  /**
   * Checks a sequence number: `"new"` (with how many were skipped, i.e. dropped)
   * or `"repeat"` for one already seen (a redelivered notification).
   */
  checkSequence(service: CaptureServiceName, sequence: number): { kind: "new"; skipped: number } | { kind: "repeat" } {
    const record = this.records[service];
    if (sequence < record.nextSequence) return { kind: "repeat" };
    return { kind: "new", skipped: sequence - record.nextSequence };
  }

  /** Marks a sequence number as used without an item (a rejected file): earlier gaps still count as dropped. */
  consumeSequence(service: CaptureServiceName, sequence: number): void {
    const record = this.records[service];
    if (sequence < record.nextSequence) return;
    record.droppedItems += sequence - record.nextSequence;
    record.nextSequence = sequence + 1;
  }

  /** Records an accepted item. Returns the gap it closed, when it arrived late. */
  recordItem(service: CaptureServiceName, item: { sequence: number; sessionMs: number; wall: number; latencyMs: number; duplicate?: boolean }): Gap | undefined {
    const record = this.records[service];
    if (item.sequence >= record.nextSequence) {
      record.droppedItems += item.sequence - record.nextSequence;
      record.nextSequence = item.sequence + 1;
    }
    record.itemsRecorded++;
    if (item.duplicate === true) record.duplicates++;
    record.latencyTotal += Math.max(0, item.latencyMs);
    record.lastActivity = item.wall;
    let gap: Gap | undefined;
    const previous = record.lastItemSessionMs;
    if (previous !== null && record.lastItemWall !== null && item.sessionMs - previous > this.stallFactor * record.intervalMs) {
      gap = { from: record.lastItemWall, to: item.wall, durationMs: Math.round(item.sessionMs - previous) };
      record.gaps.push(gap);
    }
    record.lastItemSessionMs = Math.max(previous ?? 0, item.sessionMs);
    record.lastItemWall = item.wall;
    return gap;
  }

  /** Items the recorder lost (reported drops, rejected files). */
  recordDropped(service: CaptureServiceName, count: number): void {
    this.records[service].droppedItems += count;
  }

  recordError(service: CaptureServiceName): void {
    this.records[service].errorCount++;
  }

  dropRatio(service: CaptureServiceName): { ratio: number; total: number } {
    const record = this.records[service];
    const total = record.itemsRecorded + record.droppedItems;
    return { ratio: total === 0 ? 0 : record.droppedItems / total, total };
  }

  /** Sets or clears a health condition; returns the service's resulting health. */
  setCondition(service: CaptureServiceName, key: string, health: ServiceHealth | undefined): ServiceHealth {
    const record = this.records[service];
    if (health === undefined || health === "healthy") record.conditions.delete(key);
    else record.conditions.set(key, health);
    return this.health(service);
  }

  hasCondition(service: CaptureServiceName, key: string): boolean {
    return this.records[service].conditions.has(key);
  }

  health(service: CaptureServiceName): ServiceHealth {
    let worst: ServiceHealth = "healthy";
    for (const value of this.records[service].conditions.values()) if (RANK[value] > RANK[worst]) worst = value;
    return worst;
  }

  lastItemSessionMs(service: CaptureServiceName): number | null {
    return this.records[service].lastItemSessionMs;
  }

  status(service: CaptureServiceName): CaptureServiceStatus {
    const record = this.records[service];
    return {
      state: record.state,
      health: this.health(service),
      enabled: record.enabled,
      lastActivity: record.lastActivity,
      errorCount: record.errorCount,
      metrics: {
        itemsRecorded: record.itemsRecorded,
        droppedItems: record.droppedItems,
        averageLatency: record.itemsRecorded === 0 ? 0 : Math.round((record.latencyTotal / record.itemsRecorded) * 10) / 10,
      },
    };
  }

  statuses(): Record<CaptureServiceName, CaptureServiceStatus> {
    return { screenshots: this.status("screenshots"), audio: this.status("audio"), video: this.status("video") };
  }

  /**
   * The per-source part of the integrity report. `activeMs` is the session's
   * recorded time; a trailing silence longer than the stall window counts as a gap.
   */
  integrity(service: CaptureServiceName, activeMs: number, endWall: number): SourceIntegrity {
    const record = this.records[service];
    const gaps = [...record.gaps];
    if (record.enabled && record.lastItemSessionMs !== null && record.lastItemWall !== null && activeMs - record.lastItemSessionMs > this.stallFactor * record.intervalMs) {
      gaps.push({ from: record.lastItemWall, to: endWall, durationMs: Math.round(activeMs - record.lastItemSessionMs) });
    }
    return {
      enabled: record.enabled,
      items: record.itemsRecorded,
      expected: record.enabled ? Math.floor(activeMs / record.intervalMs) : 0,
      dropped: record.droppedItems,
      duplicates: record.duplicates,
      gaps,
    };
  }
}
