/** A run as the merge policy sees it: how many sessions it still owns. */
export interface RunSize {
  readonly id: string;
  readonly sessions: number;
}

export interface MergePlan {
  /** Runs that own nothing any more (every session deleted or indexed again later). */
  readonly drop: string[];
  /** Runs to merge into one, oldest first; empty when nothing is due. */
  readonly merge: string[];
}

/**
 * Tiered merging: runs are grouped by size (tier = ⌊log_factor(sessions)⌋);
 * once `factor` runs share a tier they become one run of the next tier, as
 * long as it stays within `maxSessions` (a merge holds its runs in memory).
 * Each session is thus rewritten about log_factor(library) times, and a query
 * reads at most (factor − 1) runs per tier.
 */
export function planMerge(runs: readonly RunSize[], factor: number, maxSessions: number): MergePlan {
  const drop = runs.filter((run) => run.sessions === 0).map((run) => run.id);
  const tiers = new Map<number, RunSize[]>();
  for (const run of runs) {
    if (run.sessions === 0) continue;
    const tier = Math.floor(Math.log(run.sessions) / Math.log(factor) + 1e-9);
    const list = tiers.get(tier) ?? [];
    list.push(run);
    tiers.set(tier, list);
  }
  for (const tier of [...tiers.keys()].sort((a, b) => a - b)) {
    const list = tiers.get(tier)!.sort((a, b) => (a.id < b.id ? -1 : 1));
    if (list.length < factor) continue;
    const chosen = list.slice(0, factor);
    if (chosen.reduce((sum, run) => sum + run.sessions, 0) > maxSessions) continue;
    return { drop, merge: chosen.map((run) => run.id) };
  }
  return { drop, merge: [] };
}
