import { NonRetriableError } from "../../bridge/index.ts";
import { monthOf, type Ledger } from "./ledger.ts";

/** What a job asks before a paid call. */
export interface ReserveRequest {
  readonly jobId: string;
  readonly sessionId: string;
  /** What the job expects to spend from now on (the whole rest of the job, or the next call). */
  readonly amountUsd: number;
  /** The job's cap for its session (`maxCost`), if any, and what the job has spent so far. */
  readonly capUsd?: number;
  readonly spentUsd: number;
  readonly at: number;
}

/**
 * Spend control shared by every job of one engine: before each paid call a job
 * reserves what it expects to spend against its session's cap and the monthly
 * budget, in one synchronous step (so concurrent jobs cannot each pass a check
 * the sum of them fails); actual spend replaces the reservation as the ledger
 * records it.
 */
export interface Budget {
  /** Holds at least `amountUsd` for the job, or throws `enrichment.cost_exceeded` / `enrichment.budget_exceeded`. */
  reserve(request: ReserveRequest): Promise<void>;
  /** Actual spend just recorded in the ledger: counted, and taken out of the job's reservation. */
  spent(jobId: string, at: number, usd: number): void;
  /** The job stopped: what it still held goes back. */
  release(jobId: string): void;
  /** Held and not yet spent, by every job (for tests and status). */
  reservedUsd(): number;
}

const EPSILON = 1e-9;

export function createBudget(ledger: Ledger, monthlyBudgetUsd: () => number | undefined): Budget {
  const months = new Map<string, number>();
  const held = new Map<string, number>();
  // Spend recorded while the month's total is being read is added on top: it may be
  // counted twice (which only errs on the side of stopping), never missed.
  const loading = new Map<string, number>();

  async function load(month: string): Promise<void> {
    if (months.has(month)) return;
    loading.set(month, loading.get(month) ?? 0);
    const total = await ledger.monthTotal(month);
    if (!months.has(month)) months.set(month, total + (loading.get(month) ?? 0));
    loading.delete(month);
  }

  const heldTotal = () => {
    let sum = 0;
    for (const usd of held.values()) sum += usd;
    return sum;
  };

  return {
    async reserve(request) {
      const month = monthOf(request.at);
      await load(month);
      // From here to the end nothing awaits: the check and the hold are one step.
      const mine = held.get(request.jobId) ?? 0;
      const extra = request.amountUsd - mine;
      if (extra <= 0) return;
      if (request.capUsd !== undefined && request.spentUsd + mine + extra > request.capUsd + EPSILON) {
        throw new NonRetriableError(
          "enrichment.cost_exceeded",
          `stopped at cap: the session's cap of $${request.capUsd.toFixed(4)} would be passed ($${request.spentUsd.toFixed(4)} spent, $${request.amountUsd.toFixed(4)} more needed)`,
          { data: { capUsd: request.capUsd, spentUsd: request.spentUsd, neededUsd: request.amountUsd } },
        );
      }
      const budget = monthlyBudgetUsd();
      const monthSpent = months.get(month) ?? 0;
      const others = heldTotal() - mine;
      if (budget !== undefined && monthSpent + others + mine + extra > budget + EPSILON) {
        throw new NonRetriableError(
          "enrichment.budget_exceeded",
          `stopped at cap: this month's budget of $${budget.toFixed(2)} would be passed ($${monthSpent.toFixed(4)} spent, $${others.toFixed(4)} held by other jobs, $${request.amountUsd.toFixed(4)} more needed)`,
          { data: { budgetUsd: budget, spentUsd: monthSpent, heldUsd: others, neededUsd: request.amountUsd } },
        );
      }
      held.set(request.jobId, mine + extra);
    },
    spent(jobId, at, usd) {
      const month = monthOf(at);
      if (months.has(month)) months.set(month, months.get(month)! + usd);
      else if (loading.has(month)) loading.set(month, loading.get(month)! + usd);
      const hold = held.get(jobId);
      if (hold !== undefined) held.set(jobId, Math.max(0, hold - usd));
    },
    release(jobId) {
      held.delete(jobId);
    },
    reservedUsd: heldTotal,
  };
}
