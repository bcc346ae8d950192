import { MpgkitError, MpgkitErrorCode } from '../errors.ts';
import { type DeployStrategy, type PoolMode, parseDeployStrategy, parsePoolMode } from '../pooler.ts';
import { requireGroupName, requireWholeNumber } from '../validation.ts';
import { explainBudget } from './budget-explanation.ts';
import type {
  BudgetVerdict,
  GroupUsage,
  PairUsage,
  PoolBudgetInput,
  PoolBudgetReport,
  PoolDeclaration,
  PoolRoute,
  PoolUsage,
  ProcessGroup,
} from './budget-types.ts';
import { type PlanLimits, resolvePlan } from './plans.ts';

const verdictRank: Record<BudgetVerdict, number> = { ok: 0, reserve: 1, over: 2 };

/**
 * The verdict for direct connections (release command, listeners, migrations): they bypass PgBouncer and
 * count against Postgres's own limit, judged only when it is known.
 *
 * @example
 * ```ts
 * judgeDirect(3, undefined); // 'unknown'
 * ```
 */
export function judgeDirect(connections: number, limit: number | undefined): 'ok' | 'over' | 'unknown' {
  if (limit === undefined) return connections === 0 ? 'ok' : 'unknown';
  return connections <= limit ? 'ok' : 'over';
}

/**
 * The worse of two verdicts.
 *
 * @example
 * ```ts
 * worseVerdict('ok', 'reserve'); // 'reserve'
 * ```
 */
export function worseVerdict(a: BudgetVerdict, b: BudgetVerdict): BudgetVerdict {
  return verdictRank[b] > verdictRank[a] ? b : a;
}

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
    const {
      name: given,
      machines: m,
      processesPerMachine: p,
      poolSize: s,
      pools,
    } = (group ?? {}) as ProcessGroup;
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
    const processes = machines * processesPerMachine;
    const counted = (pool: Omit<PoolUsage, 'connections' | 'peakConnections'>): PoolUsage => {
      const connections = processes * pool.size;
      return Object.freeze({
        ...pool,
        connections,
        peakConnections:
          connections + extraDuringDeploy(deploy, processesPerMachine * pool.size, connections),
      });
    };
    const usages = [
      counted({ name: 'main', route: 'pooled', user: undefined, database: undefined, size: poolSize }),
      ...declaredPools(name, pools).map(counted),
    ];
    const pooled = usages.filter((pool) => pool.route === 'pooled');
    const direct = usages.filter((pool) => pool.route === 'direct');
    return Object.freeze({
      name,
      machines,
      processesPerMachine,
      poolSize,
      connections: sum(pooled.map((pool) => pool.connections)),
      peakConnections: sum(pooled.map((pool) => pool.peakConnections)),
      directConnections: sum(direct.map((pool) => pool.connections)),
      peakDirectConnections: sum(direct.map((pool) => pool.peakConnections)),
      pools: Object.freeze(usages),
    });
  });

  const total = sum(groups.map((group) => group.connections));
  const peak = sum(groups.map((group) => group.peakConnections));
  const directTotal = directConnections + sum(groups.map((group) => group.directConnections));
  // The one rule for a release command, for one app and a cluster alike: its machine exists only while a
  // deploy runs (Fly runs release_command before the new machines start), so it adds a direct connection at
  // the deploy peak and none in normal operation.
  const directPeak =
    directConnections +
    sum(groups.map((group) => group.peakDirectConnections)) +
    (input.releaseCommand === true ? 1 : 0);
  if (!Number.isSafeInteger(peak) || !Number.isSafeInteger(directPeak)) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      'The fleet adds up to more connections than can be counted exactly (over 2^53). Check machines, processes and pool sizes.',
    );
  }
  const session = poolMode === 'session';
  const { limit, limitName, reserve } = bindingLimitOf(plan, poolMode);
  const normalVerdict = judgeConnections(total, limit, reserve, plan.maxClientConnections);
  const peakVerdict = judgeConnections(peak, limit, reserve, plan.maxClientConnections);
  const directVerdict = judgeDirect(directPeak, directConnectionLimit);
  const pairs = pairsOf(groups, session, plan.poolSizePerPair);
  const worst = worseVerdict(normalVerdict, peakVerdict);
  const verdict = directVerdict === 'over' || pairs.some((pair) => pair.verdict === 'over') ? 'over' : worst;

  const report = {
    plan,
    poolMode,
    deploy,
    groups: Object.freeze(groups),
    total,
    peak,
    limit,
    limitName,
    reserve,
    normalVerdict,
    peakVerdict,
    verdict,
    headroom: limit - peak,
    pairs,
    directConnections: directTotal,
    peakDirectConnections: directPeak,
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

const POOL_ROUTES: readonly PoolRoute[] = ['pooled', 'direct'];

function declaredPools(
  group: string,
  pools: ProcessGroup['pools'],
): Array<Omit<PoolUsage, 'connections' | 'peakConnections'>> {
  if (pools === undefined) return [];
  if (typeof pools !== 'object' || pools === null || Array.isArray(pools)) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `${group}.pools must be an object of named pools, e.g. { reader: { size: 5, user: 'reader' } }.`,
    );
  }
  return Object.entries(pools).map(([name, pool]) => {
    const where = `${group}.pools.${name}`;
    if (name === 'main') {
      throw new MpgkitError(
        MpgkitErrorCode.InvalidOption,
        `${where}: "main" is the group's own pool (its poolSize); give the extra pool another name.`,
      );
    }
    const { size, route = 'pooled', user, database } = (pool ?? {}) as PoolDeclaration;
    if (!POOL_ROUTES.includes(route)) {
      throw new MpgkitError(
        MpgkitErrorCode.InvalidOption,
        `${where}.route must be 'pooled' (through PgBouncer) or 'direct' (the direct URL), got ${JSON.stringify(route)}.`,
      );
    }
    return {
      name,
      route,
      user: optionalName(`${where}.user`, user),
      database: optionalName(`${where}.database`, database),
      size: requireWholeNumber(`${where}.size`, size, 1),
    };
  });
}

function optionalName(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `${field} must be a non-empty name, or left out for the main pool's.`,
    );
  }
  return value.trim();
}

// PgBouncer keeps one pool per user/database pair (https://www.pgbouncer.org/config.html, default_pool_size):
// in session mode each client connection of a pair holds one of that pair's server connections, so a pair
// with more clients than its pool size starves even when the database limit has room. In transaction mode a
// pair's pool size bounds its concurrent transactions, not its clients: not a verdict.
function pairsOf(
  groups: readonly GroupUsage[],
  session: boolean,
  poolSizePerPair: number | undefined,
): readonly PairUsage[] {
  const pairs = new Map<
    string,
    { user: string | undefined; database: string | undefined; c: number; p: number }
  >();
  for (const pool of groups.flatMap((group) => group.pools)) {
    if (pool.route !== 'pooled') continue;
    const key = JSON.stringify([pool.user ?? null, pool.database ?? null]);
    const pair = pairs.get(key) ?? { user: pool.user, database: pool.database, c: 0, p: 0 };
    pair.c += pool.connections;
    pair.p += pool.peakConnections;
    pairs.set(key, pair);
  }
  return Object.freeze(
    [...pairs.values()].map(({ user, database, c, p }) =>
      Object.freeze({
        user,
        database,
        connections: c,
        peakConnections: p,
        verdict: !session || poolSizePerPair === undefined ? 'unknown' : p <= poolSizePerPair ? 'ok' : 'over',
      } as const),
    ),
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

/**
 * The limit a fleet's client connections meet first, with its reserve slice: in transaction mode PgBouncer's
 * max client connections; in session mode each client holds a server connection, so max database connections,
 * or max client connections where a custom plan sets that lower (PgBouncer refuses the clients past it
 * before any server limit matters).
 *
 * @example
 * ```ts
 * bindingLimitOf(planLimits('basic'), 'session'); // { limit: 50, limitName: 'max database connections', reserve: 10 }
 * ```
 */
export function bindingLimitOf(
  plan: PlanLimits,
  poolMode: PoolMode,
): { limit: number; limitName: PoolBudgetReport['limitName']; reserve: number } {
  if (poolMode === 'session' && plan.maxDatabaseConnections <= plan.maxClientConnections) {
    return {
      limit: plan.maxDatabaseConnections,
      limitName: 'max database connections',
      reserve: plan.reservePool,
    };
  }
  return { limit: plan.maxClientConnections, limitName: 'max client connections', reserve: 0 };
}

// The reserve pool is the top slice of the database limit, not extra room above it: PgBouncer's
// reserve_pool_size is still capped by max_db_connections (https://www.pgbouncer.org/config.html,
// measured in test-infra/test/budget-agreement.integration.test.ts), so clients served at once =
// min(pool + reserve, max_db_connections). Beyond the regular pool (limit − reserve), a client is served
// only after waiting reserve_pool_timeout; beyond the limit it starves.
/**
 * The verdict for a number of client connections against a binding limit, its reserve slice and PgBouncer's
 * client limit.
 *
 * @example
 * ```ts
 * judgeConnections(45, 50, 10, 200); // 'reserve'
 * ```
 */
export function judgeConnections(
  connections: number,
  limit: number,
  reserve: number,
  clientLimit: number,
): BudgetVerdict {
  if (connections > clientLimit) return 'over'; // PgBouncer refuses the connection outright
  if (connections <= limit - reserve) return 'ok';
  return connections <= limit ? 'reserve' : 'over';
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
