import { MpgkitError, MpgkitErrorCode } from '../errors.ts';
import type { DeployStrategy, PoolMode } from '../pooler.ts';
import { describeValue } from '../validation.ts';
import type { PoolBudgetReport, ProcessGroup } from './budget-types.ts';
import type { CustomPlanLimits, PlanLimits } from './plans.ts';
import { checkPoolBudget } from './pool-budget.ts';

/** Input of {@link recommendPoolSizes}. */
export interface PoolSizeRecommendationInput {
  /** An MPG plan name or custom PgBouncer limits. */
  plan: string | CustomPlanLimits | PlanLimits;
  /** The cluster's PgBouncer pool mode. */
  poolMode: PoolMode;
  /** The fleet's shape. `weight` gives a group a larger share of the budget per process. @default weight 1 */
  groups: ReadonlyArray<Omit<ProcessGroup, 'poolSize'> & { weight?: number }>;
  /** How the app deploys. @default 'rolling' */
  deploy?: DeployStrategy;
  /** Fraction of the binding limit to keep free, 0 ≤ headroom < 1. @default 0.2 */
  headroom?: number;
}

/** The result of {@link recommendPoolSizes}. */
export interface PoolSizeRecommendation {
  /** Largest pool size per group that keeps the deploy peak within the budget. */
  readonly poolSizes: Readonly<Record<string, number>>;
  /** The connections allowed at peak: ⌊limit × (1 − headroom)⌋. */
  readonly budget: number;
  /** The budget report for the recommended sizes. */
  readonly report: PoolBudgetReport;
}

/**
 * The inverse of `checkPoolBudget`: the largest pool size for each group such that the fleet's
 * deploy peak stays within the binding limit minus `headroom`.
 *
 * @throws {MpgkitError} `POOL_BUDGET_EXCEEDED` when even a pool of 1 per process does not fit.
 * @example
 * ```ts
 * recommendPoolSizes({ plan: 'basic', poolMode: 'session', deploy: 'bluegreen',
 *   groups: [{ name: 'web', machines: 3 }, { name: 'worker', machines: 2 }] }).poolSizes;
 * // { web: 4, worker: 4 }: peak (3 × 4 + 2 × 4) × 2 = 40 ≤ 50 × 0.8
 * ```
 */
export function recommendPoolSizes(input: PoolSizeRecommendationInput): PoolSizeRecommendation {
  const headroom = input.headroom ?? 0.2;
  if (!(headroom >= 0 && headroom < 1)) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `headroom must be ≥ 0 and < 1, got ${describeValue(headroom)}.`,
    );
  }
  const probe = checkPoolBudget({
    ...input,
    groups: input.groups.map((group) => ({ ...group, poolSize: 1 })),
  });
  const budget = Math.floor(probe.limit * (1 - headroom));
  // Peak connections each group adds per unit of its main pool's size; its other pooled pools (a Reader
  // user, a raw pg pool) keep their declared sizes and come off the budget first.
  const slots = probe.groups.map((group) => group.pools[0]?.peakConnections ?? 0);
  const fixed = probe.peak - sum(slots);
  const weights = input.groups.map((group) => group.weight ?? 1);
  for (const weight of weights) {
    if (!(weight > 0 && Number.isFinite(weight))) {
      throw new MpgkitError(
        MpgkitErrorCode.InvalidOption,
        `Group weights must be positive, got ${describeValue(weight)}.`,
      );
    }
  }
  const weightedSlots = sum(slots.map((slot, index) => slot * (weights[index] ?? 1)));
  // Every group starts at a pool of 1; what is left is shared by weight. (Sharing it all by weight floored a
  // small group's share to 0 beside a large one, and answered "cannot fit" for fleets that fit.)
  const spare = budget - fixed - sum(slots);
  const sizes = weights.map((weight) =>
    weightedSlots === 0 ? 1 : 1 + Math.max(0, Math.floor((spare * weight) / weightedSlots)),
  );
  if (spare < 0) {
    const others = fixed === 0 ? '' : ` (${fixed} of them for the groups' other pools)`;
    throw new MpgkitError(
      MpgkitErrorCode.PoolBudgetExceeded,
      `Even a pool of 1 per process needs ${sum(slots) + fixed} connections${others} at the ${probe.deploy} deploy peak, ` +
        `more than ${budget} (${probe.limitName} ${probe.limit} less ${Math.round(headroom * 100)} % headroom). ` +
        'Use fewer machines or processes, transaction mode, or a larger plan.',
      { details: { budget, needed: sum(slots) + fixed } },
    );
  }
  // Hand out what flooring left over, one connection per group in turn, while it still fits.
  let used = fixed + sum(sizes.map((size, index) => size * (slots[index] ?? 0)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [index, slot] of slots.entries()) {
      if (used + slot <= budget) {
        sizes[index] = (sizes[index] ?? 0) + 1;
        used += slot;
        grew = true;
      }
    }
  }
  const poolSizes = Object.fromEntries(input.groups.map((group, index) => [group.name, sizes[index] ?? 1]));
  const report = checkPoolBudget({
    ...input,
    groups: input.groups.map((group) => ({ ...group, poolSize: poolSizes[group.name] ?? 1 })),
  });
  return Object.freeze({ poolSizes: Object.freeze(poolSizes), budget, report });
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
