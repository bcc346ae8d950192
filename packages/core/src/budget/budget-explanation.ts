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
  lines.push(...explainPools(report));
  const direct = report.peakDirectConnections;
  if (report.directConnectionLimit !== undefined) {
    const over = direct - report.directConnectionLimit;
    lines.push(
      `Direct connections (release command, listeners, lock holders) bypass PgBouncer: ` +
        `${direct} of ${report.directConnectionLimit} Postgres connections: ` +
        (over > 0
          ? `over by ${over}: Postgres refuses them (remaining connection slots are reserved, 53300).`
          : `ok, ${-over} to spare.`),
    );
  } else if (direct > 0) {
    lines.push(
      `Direct connections (${direct}: release command, listeners, lock holders) bypass ` +
        "PgBouncer and use Postgres's own max_connections, which the plan does not publish: not checked. " +
        'Give the limit to check them: directConnectionLimit in the policy (or the cluster file), or ' +
        '`mpgkit budget --direct-limit`.',
    );
  }
  return lines;
}

// A process holding several pooled pools shows their sum: (3 × (10 + 5)).
function poolSum(group: GroupUsage): string {
  const sizes = group.pools.filter((pool) => pool.route === 'pooled').map((pool) => pool.size);
  return sizes.length === 1 ? String(sizes[0]) : `(${sizes.join(' + ')})`;
}

function groupFormula(group: GroupUsage): string {
  const factors = [
    group.machines,
    ...(group.processesPerMachine === 1 ? [] : [group.processesPerMachine]),
    poolSum(group),
  ];
  return `(${factors.join(' × ')})`;
}

// Where each extra pool lands, and what the verdict assumes about PgBouncer's per-pair pools, which MPG
// does not publish (default_pool_size, https://www.pgbouncer.org/config.html).
function explainPools(report: Omit<PoolBudgetReport, 'explanation'>): string[] {
  const lines: string[] = [];
  for (const group of report.groups) {
    const extras = group.pools.slice(1);
    if (extras.length === 0) continue;
    const described = extras.map(
      (pool) =>
        `${pool.name} ${pool.size} (${pool.route === 'direct' ? 'direct URL, bypasses PgBouncer' : `through PgBouncer as ${pairName(pool)}`})`,
    );
    lines.push(`Group ${group.name}: each process holds main ${group.poolSize} and ${described.join(', ')}.`);
  }
  if (report.pairs.length > 1 || report.plan.poolSizePerPair !== undefined) {
    const pairs = report.pairs.map((pair) => `${pairName(pair)} ${pair.peakConnections}`).join(', ');
    const perPair = report.plan.poolSizePerPair;
    lines.push(
      perPair === undefined
        ? `PgBouncer keeps one pool per user/database pair (${pairs} at peak). MPG does not publish a pair's ` +
            `pool size: this verdict assumes every pair may use the whole database limit and that all pairs ` +
            'share it. Give custom limits with poolSizePerPair to check each pair.'
        : report.poolMode === 'session'
          ? `Each user/database pair may hold ${perPair} server connections (poolSizePerPair): ${pairs} at peak` +
            (report.pairs.some((pair) => pair.verdict === 'over')
              ? `: over for ${report.pairs
                  .filter((pair) => pair.verdict === 'over')
                  .map(pairName)
                  .join(', ')}; its clients wait for a server connection.`
              : ': ok.')
          : `Each user/database pair runs at most ${perPair} transactions at once (poolSizePerPair); ${pairs} clients at peak queue beyond that.`,
    );
  }
  return lines;
}

/**
 * A PgBouncer user/database pair as reports name it; `undefined` parts are the pooled URL's.
 *
 * @example
 * ```ts
 * pairName({ user: 'reader', database: undefined }); // 'reader/app database'
 * ```
 */
export function pairName(pool: { user: string | undefined; database: string | undefined }): string {
  return `${pool.user ?? 'app user'}/${pool.database ?? 'app database'}`;
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

// What happens to the connections past the limit depends on which limit they pass: past max client
// connections PgBouncer refuses the login outright (both modes); past max database connections (session
// mode) the client is accepted and waits for a server connection until query_wait_timeout drops it.
function describe(
  verdict: BudgetVerdict,
  connections: number,
  report: Omit<PoolBudgetReport, 'explanation'>,
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
    case 'over': {
      const refused = connections - report.plan.maxClientConnections;
      if (refused > 0) {
        return `over by ${-spare}: PgBouncer refuses ${refused} client connections outright (no more connections allowed, max_client_conn)`;
      }
      return (
        `over by ${-spare}: ${-spare} client connections are accepted but get no server connection; they wait ` +
        'until query_wait_timeout (120 s by default) drops them'
      );
    }
  }
}
