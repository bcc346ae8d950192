import { explainBudget } from './budget-explanation.ts';
import type {
  BudgetVerdict,
  GroupUsage,
  PoolBudgetInput,
  PoolBudgetReport,
  ProcessGroup,
} from './budget-types.ts';
import { MpgkitError, MpgkitErrorCode } from './errors.ts';
import { type PlanLimits, resolvePlan } from './plans.ts';
import { type DeployStrategy, type PoolMode, parseDeployStrategy, parsePoolMode } from './pooler.ts';
import { requireGroupName, requireWholeNumber } from './validation.ts';

const verdictRank: Record<BudgetVerdict, number> = { ok: 0, reserve: 1, over: 2 };

/**
 * Checks a fleet's connection pools against a plan's PgBouncer limits, in normal operation and at the
 * deploy peak. In session mode every client connection pins a server connection, so the fleet must fit
 * the database-connection limit (the reserve pool only absorbs bursts); in transaction mode server
 * connections are shared per transaction, so the fleet must fit the client-connection limit.
 *
 * @example
 * ```ts
 * const report = checkPoolBudget({
 *   plan: 'basic', poolMode: 'session',
 *   groups: [{ name: 'web', machines: 3, poolSize: 10 }, { name: 'worker', machines: 2, poolSize: 5 }],
 * });
 * report.total; // 40, as (3 × 10) + (2 × 5)
 * report.verdict; // 'ok' (limit 50)
 * ```
 */
export function checkPoolBudget(input: PoolBudgetInput): PoolBudgetReport {
  if (typeof input !== 'object' || input === null) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      'checkPoolBudget needs { plan, poolMode, groups }, e.g. { plan: "basic", poolMode: "session", groups: [{ name: "web", machines: 3, poolSize: 10 }] }.',
    );
  }
  return budgetOf({
    ...input,
    plan: resolvePlan(input.plan),
    poolMode: parsePoolMode(input.poolMode),
    deploy: parseDeployStrategy(input.deploy ?? 'rolling'),
  });
}

/**
 * {@link checkPoolBudget} for a plan, pool mode and deploy strategy that are already validated (a policy's);
 * the fleet itself is still checked.
 *
 * @example
 * ```ts
 * budgetOf({ plan: MPG_PLANS.basic, poolMode: 'session', deploy: 'rolling', groups });
 * ```
 */
export function budgetOf(
  input: PoolBudgetInput & { plan: PlanLimits; poolMode: PoolMode; deploy: DeployStrategy },
): PoolBudgetReport {
  const { plan, poolMode, deploy } = input;
  const directConnections = requireWholeNumber('directConnections', input.directConnections ?? 0, 0);
  const directConnectionLimit =
    input.directConnectionLimit === undefined
      ? undefined
      : requireWholeNumber('directConnectionLimit', input.directConnectionLimit, 0);
  if (!Array.isArray(input.groups) || input.groups.length === 0) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      'The fleet has no process groups. Add at least one.',
    );
  }
  const seen = new Set<string>();
  const groups = input.groups.map((group: unknown): GroupUsage => {
    const { name: given, machines: m, processesPerMachine: p, poolSize: s } = (group ?? {}) as ProcessGroup;
    const name = requireGroupName(given);
    if (seen.has(name)) {
      throw new MpgkitError(
        MpgkitErrorCode.InvalidOption,
        `Process group "${name}" is declared twice. Give each group once (names are trimmed).`,
      );
    }
    seen.add(name);
    const machines = requireWholeNumber(`${name}.machines`, m, 1);
    const processesPerMachine = requireWholeNumber(`${name}.processesPerMachine`, p ?? 1, 1);
    const poolSize = requireWholeNumber(`${name}.poolSize`, s, 1);
    const connections = machines * processesPerMachine * poolSize;
    return Object.freeze({
      name,
      machines,
      processesPerMachine,
      poolSize,
      connections,
      peakConnections: connections + extraDuringDeploy(deploy, processesPerMachine * poolSize, connections),
    });
  });

  const total = sum(groups.map((group) => group.connections));
  const peak = sum(groups.map((group) => group.peakConnections));
  if (!Number.isSafeInteger(peak)) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      'The fleet adds up to more connections than can be counted exactly (over 2^53). Check machines, processes and pool sizes.',
    );
  }
  const session = poolMode === 'session';
  const limit = session ? plan.maxDatabaseConnections : plan.maxClientConnections;
  const reserve = session ? plan.reservePool : 0;
  const normalVerdict = judge(total, limit, reserve, plan.maxClientConnections);
  const peakVerdict = judge(peak, limit, reserve, plan.maxClientConnections);
  // Direct connections (release command, listeners, migrations) bypass PgBouncer: they count against
  // Postgres's own limit, judged only when it is known.
  const directVerdict =
    directConnectionLimit === undefined
      ? directConnections === 0
        ? 'ok'
        : 'unknown'
      : directConnections <= directConnectionLimit
        ? 'ok'
        : 'over';
  const worst = verdictRank[peakVerdict] > verdictRank[normalVerdict] ? peakVerdict : normalVerdict;
  const verdict = directVerdict === 'over' ? 'over' : worst;

  const report = {
    plan,
    poolMode,
    deploy,
    groups: Object.freeze(groups),
    total,
    peak,
    limit,
    limitName: session ? 'max database connections' : 'max client connections',
    reserve,
    normalVerdict,
    peakVerdict,
    verdict,
    headroom: limit - peak,
    directConnections,
    directConnectionLimit,
    directVerdict,
  } as const;
  // The explanation is words for people: written on first read (a policy whose fleet fits never reads it at
  // startup, bench/, startup).
  let explanation: readonly string[] | undefined;
  return Object.freeze(
    Object.defineProperty({ ...report }, 'explanation', {
      enumerable: true,
      get: () => {
        explanation ??= Object.freeze(explainBudget(report));
        return explanation;
      },
    }) as PoolBudgetReport,
  );
}

function extraDuringDeploy(deploy: DeployStrategy, perMachine: number, connections: number): number {
  switch (deploy) {
    case 'bluegreen':
      return connections; // a full second set of machines runs until the old one is stopped
    case 'canary':
      return perMachine; // one new machine per group first, then the rest in place
    case 'rolling':
    case 'immediate':
      return 0; // machines are replaced in place
  }
}

// The reserve pool is the top slice of the database limit, not extra room above it: PgBouncer's
// reserve_pool_size is still capped by max_db_connections (https://www.pgbouncer.org/config.html,
// measured in test-infra/test/budget-agreement.integration.test.ts), so clients served at once =
// min(pool + reserve, max_db_connections). Beyond the regular pool (limit − reserve), a client is served
// only after waiting reserve_pool_timeout; beyond the limit it starves.
function judge(connections: number, limit: number, reserve: number, clientLimit: number): BudgetVerdict {
  if (connections > clientLimit) return 'over'; // PgBouncer refuses the connection outright
  if (connections <= limit - reserve) return 'ok';
  return connections <= limit ? 'reserve' : 'over';
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
