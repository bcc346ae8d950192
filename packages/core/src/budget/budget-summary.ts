import type { PoolBudgetReport } from './budget-types.ts';
import type { PlanLimits } from './plans.ts';

/** What {@link summarizeBudget} reads of a policy. */
export interface BudgetSummaryInput {
  readonly budget: PoolBudgetReport | undefined;
  readonly budgetShare: number | undefined;
  readonly processGroup: string;
  readonly poolSize: number;
  readonly plan: PlanLimits | undefined;
}

/**
 * How this process's group fits the budget, in one line for the startup log: the group's connections, the
 * app's deploy peak, the share it may use and the room left. Built from numbers only, so it never carries a
 * secret.
 *
 * @example
 * ```ts
 * summarizeBudget(policy);
 * // 'mpgkit: group web holds 30 of app peak 35 connections; share 100 of 200 max client connections
 * //  (plan basic, transaction mode, rolling deploy): 65 to spare'
 * ```
 */
export function summarizeBudget(policy: BudgetSummaryInput): string {
  const { budget, processGroup } = policy;
  if (budget === undefined) {
    return (
      `mpgkit: group ${processGroup}, pool ${policy.poolSize} per process; budget not checked ` +
      `(declare ${policy.plan === undefined ? 'plan and fleet' : 'fleet'} in the policy to check it)`
    );
  }
  const group = budget.groups.find((candidate) => candidate.name === processGroup);
  const holds = group === undefined ? `${policy.poolSize} per process` : `${group.connections}`;
  const limit = policy.budgetShare ?? budget.limit;
  const spare = limit - budget.peak;
  const of =
    policy.budgetShare === undefined
      ? `${budget.limit} ${budget.limitName}`
      : `share ${policy.budgetShare} of ${budget.limit} ${budget.limitName}`;
  return (
    `mpgkit: group ${processGroup} holds ${holds} of app peak ${budget.peak} connections; ${of} ` +
    `(plan ${budget.plan.name}, ${budget.poolMode} mode, ${budget.deploy} deploy): ` +
    (spare >= 0 ? `${spare} to spare` : `OVER by ${-spare}`) +
    (budget.verdict === 'over' && spare >= 0 ? ' (but OVER elsewhere: run mpgkit check)' : '')
  );
}
