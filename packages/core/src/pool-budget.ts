import { MpgkitError, MpgkitErrorCode } from './errors.ts';
import { type CustomPlanLimits, type PlanLimits, resolvePlan } from './plans.ts';

/** PgBouncer's pool mode. MPG's default is `session`. */
export type PoolMode = 'session' | 'transaction';

/** Fly deploy strategies, as they change the number of machines running at once. */
export type DeployStrategy = 'bluegreen' | 'canary' | 'rolling' | 'immediate';

/** Every pool mode, for validation and help texts. */
export const POOL_MODES: readonly PoolMode[] = Object.freeze(['session', 'transaction']);

/** Every deploy strategy, for validation and help texts. */
export const DEPLOY_STRATEGIES: readonly DeployStrategy[] = Object.freeze([
  'bluegreen',
  'canary',
  'rolling',
  'immediate',
]);

/** One Fly process group: its machines and the pool each process opens. */
export interface ProcessGroup {
  /** Group name (`FLY_PROCESS_GROUP`), e.g. `app`, `web`, `worker`. */
  name: string;
  /** Machines running this group. */
  machines: number;
  /** Connections each process's pool may open. */
  poolSize: number;
  /** Processes per machine, each with its own pool (cluster workers, several Node processes). @default 1 */
  processesPerMachine?: number;
}

/** Input of {@link checkPoolBudget}. */
export interface PoolBudgetInput {
  /** An MPG plan name or custom PgBouncer limits. */
  plan: string | CustomPlanLimits | PlanLimits;
  /** The cluster's PgBouncer pool mode. */
  poolMode: PoolMode;
  /** The fleet, one entry per process group. */
  groups: readonly ProcessGroup[];
  /** How the app deploys; bluegreen and canary run extra machines for a while. @default 'rolling' */
  deploy?: DeployStrategy;
  /** Connections that bypass PgBouncer: release command, listeners, lock holders, admin tools. @default 0 */
  directConnections?: number;
}

/**
 * `ok`: fits the regular pool. `reserve`: fits only with the reserve pool, the top slice of the database
 * limit (clients wait `reserve_pool_timeout` first). `over`: does not fit; clients starve or are refused.
 */
export type BudgetVerdict = 'ok' | 'reserve' | 'over';

/** One group's share of the budget. */
export interface GroupUsage {
  readonly name: string;
  readonly machines: number;
  readonly processesPerMachine: number;
  readonly poolSize: number;
  /** machines × processes × pool size. */
  readonly connections: number;
  /** Connections while the deploy runs. */
  readonly peakConnections: number;
}

/** The result of {@link checkPoolBudget}: numbers, verdict, and the arithmetic in words. */
export interface PoolBudgetReport {
  readonly plan: PlanLimits;
  readonly poolMode: PoolMode;
  readonly deploy: DeployStrategy;
  readonly groups: readonly GroupUsage[];
  /** Σ machines × processes × pool size, in normal operation. */
  readonly total: number;
  /** The same during a deploy. */
  readonly peak: number;
  /** The limit that binds in this pool mode. */
  readonly limit: number;
  /** Which PgBouncer limit binds: database connections in session mode, client connections in transaction mode. */
  readonly limitName: 'max database connections' | 'max client connections';
  /** The part of {@link PoolBudgetReport.limit} served only through the reserve pool (session mode only). */
  readonly reserve: number;
  /** Verdict for normal operation. */
  readonly normalVerdict: BudgetVerdict;
  /** Verdict for the deploy peak. */
  readonly peakVerdict: BudgetVerdict;
  /** The worse of the two. */
  readonly verdict: BudgetVerdict;
  /** limit − peak (negative when over). */
  readonly headroom: number;
  /** Direct connections, counted against Postgres itself. */
  readonly directConnections: number;
  /** The arithmetic and its meaning, one sentence per line. */
  readonly explanation: readonly string[];
}

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
  const plan = resolvePlan(input.plan);
  const poolMode = validatePoolMode(input.poolMode);
  const deploy = validateDeploy(input.deploy ?? 'rolling');
  const directConnections = wholeNumber('directConnections', input.directConnections ?? 0, 0);
  if (input.groups.length === 0) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      'The fleet has no process groups. Add at least one.',
    );
  }
  const seen = new Set<string>();
  const groups = input.groups.map((group): GroupUsage => {
    if (group.name.trim() === '' || seen.has(group.name)) {
      throw new MpgkitError(
        MpgkitErrorCode.InvalidOption,
        `Process group names must be unique and non-empty; got "${group.name}" twice or empty.`,
      );
    }
    seen.add(group.name);
    const machines = wholeNumber(`${group.name}.machines`, group.machines, 1);
    const processesPerMachine = wholeNumber(
      `${group.name}.processesPerMachine`,
      group.processesPerMachine ?? 1,
      1,
    );
    const poolSize = wholeNumber(`${group.name}.poolSize`, group.poolSize, 1);
    const connections = machines * processesPerMachine * poolSize;
    return Object.freeze({
      name: group.name,
      machines,
      processesPerMachine,
      poolSize,
      connections,
      peakConnections: connections + extraDuringDeploy(deploy, processesPerMachine * poolSize, connections),
    });
  });

  const total = sum(groups.map((group) => group.connections));
  const peak = sum(groups.map((group) => group.peakConnections));
  const session = poolMode === 'session';
  const limit = session ? plan.maxDatabaseConnections : plan.maxClientConnections;
  const reserve = session ? plan.reservePool : 0;
  const normalVerdict = judge(total, limit, reserve, plan.maxClientConnections);
  const peakVerdict = judge(peak, limit, reserve, plan.maxClientConnections);
  const verdict = verdictRank[peakVerdict] > verdictRank[normalVerdict] ? peakVerdict : normalVerdict;

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
  } as const;
  return Object.freeze({ ...report, explanation: Object.freeze(explain(report)) });
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

function explain(report: Omit<PoolBudgetReport, 'explanation'>): string[] {
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
 * The inverse of {@link checkPoolBudget}: the largest pool size for each group such that the fleet's
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
    throw new MpgkitError(MpgkitErrorCode.InvalidOption, `headroom must be ≥ 0 and < 1, got ${headroom}.`);
  }
  const probe = checkPoolBudget({
    ...input,
    groups: input.groups.map((group) => ({ ...group, poolSize: 1 })),
  });
  const budget = Math.floor(probe.limit * (1 - headroom));
  // Peak connections each group adds per unit of pool size.
  const slots = probe.groups.map((group) => group.peakConnections);
  const weights = input.groups.map((group) => group.weight ?? 1);
  for (const weight of weights) {
    if (!(weight > 0 && Number.isFinite(weight))) {
      throw new MpgkitError(MpgkitErrorCode.InvalidOption, `Group weights must be positive, got ${weight}.`);
    }
  }
  const weightedSlots = sum(slots.map((slot, index) => slot * (weights[index] ?? 1)));
  const sizes = weights.map((weight) => Math.floor((budget * weight) / weightedSlots));
  if (sizes.some((size) => size < 1)) {
    throw new MpgkitError(
      MpgkitErrorCode.PoolBudgetExceeded,
      `Even a pool of 1 per process needs ${sum(slots)} connections at the ${probe.deploy} deploy peak, ` +
        `more than ${budget} (${probe.limitName} ${probe.limit} less ${Math.round(headroom * 100)} % headroom). ` +
        'Use fewer machines or processes, transaction mode, or a larger plan.',
      { details: { budget, needed: sum(slots) } },
    );
  }
  // Hand out what flooring left over, one connection per group in turn, while it still fits.
  let used = sum(sizes.map((size, index) => size * (slots[index] ?? 0)));
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

/** @internal Validates a pool mode read from config, CLI or env. */
export function validatePoolMode(value: string): PoolMode {
  if (!(POOL_MODES as readonly string[]).includes(value)) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `Pool mode "${value}" is not valid. Use "session" or "transaction" (the cluster's Pooler Settings show it).`,
    );
  }
  return value as PoolMode;
}

function validateDeploy(value: string): DeployStrategy {
  if (!(DEPLOY_STRATEGIES as readonly string[]).includes(value)) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `Deploy strategy "${value}" is not valid. Use one of: ${DEPLOY_STRATEGIES.join(', ')}.`,
    );
  }
  return value as DeployStrategy;
}

function wholeNumber(field: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `${field} must be a whole number ≥ ${min}, got ${String(value)}.`,
    );
  }
  return value;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
