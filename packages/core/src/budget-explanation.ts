import type { BudgetVerdict, GroupUsage, PoolBudgetReport } from './budget-types.ts';

/**
 * The budget's arithmetic and what it means, one sentence per line, in the words of the pool mode it is
 * in: which limit binds and why, the normal sum, the deploy peak, and direct connections.
 *
 * @example
 * ```ts
 * explainBudget(report)[1]; // 'Normal: (3 × 10) + (2 × 5) = 40 of 50: ok, 10 to spare.'
 * ```
 */
export function explainBudget(report: Omit<PoolBudgetReport, 'explanation'>): string[] {
  const { plan, groups, limit } = report;
  const lines: string[] = [];
  if (report.poolMode === 'session') {
    lines.push(
      `Session mode: each client connection holds a server connection for its whole life, so the fleet's ` +
        `pools must fit the plan's max database connections (${plan.name}: ${limit}); ` +
        `the last ${plan.reservePool} of those are the reserve pool, which serves a client only after it waited.`,
    );
  } else {
    lines.push(
      `Transaction mode: a server connection is held only per transaction, so the fleet's pools must fit ` +
        `the plan's max client connections (${plan.name}: ${limit}); at most ${plan.maxDatabaseConnections} ` +
        'transactions run at once and the rest queue.',
    );
  }
  const formula = groups.map(groupFormula).join(' + ');
  lines.push(
    `Normal: ${formula} = ${report.total} of ${limit}: ${describe(report.normalVerdict, report.total, report)}.`,
  );
  if (report.peak !== report.total) {
    lines.push(`${deployFormula(report)}: ${describe(report.peakVerdict, report.peak, report)}.`);
  } else {
    lines.push(`Deploy ${report.deploy}: machines are replaced in place, so the peak stays ${report.peak}.`);
  }
  if (report.directConnections > 0) {
    lines.push(
      `Direct connections (${report.directConnections}: release command, listeners, lock holders) bypass ` +
        'PgBouncer and count against Postgres max_connections instead.',
    );
  }
  return lines;
}

function groupFormula(group: GroupUsage): string {
  const factors = [
    group.machines,
    ...(group.processesPerMachine === 1 ? [] : [group.processesPerMachine]),
    group.poolSize,
  ];
  return `(${factors.join(' × ')})`;
}

function deployFormula(report: Omit<PoolBudgetReport, 'explanation'>): string {
  if (report.deploy === 'bluegreen') {
    return (
      `Deploy bluegreen: old and new machines run side by side, so every group doubles: ` +
      `2 × ${report.total} = ${report.peak} of ${report.limit}`
    );
  }
  const extra = report.groups.map((group) =>
    group.processesPerMachine === 1
      ? `(1 × ${group.poolSize})`
      : `(1 × ${group.processesPerMachine} × ${group.poolSize})`,
  );
  return (
    `Deploy canary: one new machine per group starts before the rest: ` +
    `${report.total} + ${extra.join(' + ')} = ${report.peak} of ${report.limit}`
  );
}

function describe(
  verdict: BudgetVerdict,
  connections: number,
  report: { limit: number; reserve: number },
): string {
  const spare = report.limit - connections;
  switch (verdict) {
    case 'ok':
      return `ok, ${spare} to spare`;
    case 'reserve':
      return (
        `fits only with the reserve pool (${connections - (report.limit - report.reserve)} into the last ` +
        `${report.reserve}); those clients wait for the reserve timeout (5 s by default) first`
      );
    case 'over':
      return `over by ${-spare}: ${-spare} client connections get no server connection and wait until they time out`;
  }
}
