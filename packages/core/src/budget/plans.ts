import { MpgkitError, MpgkitErrorCode } from '../errors.ts';
import { type KnownKeys, rejectUnknownKeys } from '../unknown-keys.ts';
import { requireWholeNumber } from '../validation.ts';

/** The PgBouncer connection limits of a plan. */
export interface PlanLimits {
  /** Plan name, or `'custom'`. */
  readonly name: string;
  /** Client connections PgBouncer accepts in total (`max_client_conn`). */
  readonly maxClientConnections: number;
  /** Server connections PgBouncer opens to Postgres (`max_db_connections`). */
  readonly maxDatabaseConnections: number;
  /** Extra server connections for bursts, used after a client waited (`reserve_pool_size`). */
  readonly reservePool: number;
  /**
   * Server connections of one user/database pair (`default_pool_size`, or a user's `pool_size`), when it is
   * known. MPG does not publish it: without it, every pair is assumed to be able to use the whole database
   * limit, and the report says so.
   */
  readonly poolSizePerPair?: number;
}

/** The names of Fly Managed Postgres plans. */
export type MpgPlanName = 'basic' | 'starter' | 'launch' | 'scale' | 'performance';

/**
 * Connection limits of each MPG plan, from the "Connection limits" table of the "Connect Your Client"
 * guide (shared/seeds/000).
 *
 * @example
 * ```ts
 * MPG_PLANS.launch.maxDatabaseConnections; // 150
 * ```
 */
export const MPG_PLANS: Readonly<Record<MpgPlanName, PlanLimits>> = Object.freeze({
  basic: plan('basic', 200, 50, 10),
  starter: plan('starter', 200, 50, 10),
  launch: plan('launch', 500, 150, 30),
  scale: plan('scale', 1000, 300, 50),
  performance: plan('performance', 1000, 300, 50),
});

function plan(name: string, clients: number, database: number, reserve: number): PlanLimits {
  return Object.freeze({
    name,
    maxClientConnections: clients,
    maxDatabaseConnections: database,
    reservePool: reserve,
  });
}

/** Limits of a PgBouncer that is not one of the MPG plans. */
export interface CustomPlanLimits {
  /** A name for reports. @default 'custom' */
  name?: string;
  /** PgBouncer `max_client_conn`. */
  maxClientConnections: number;
  /** PgBouncer `max_db_connections` (or `default_pool_size` if that is what binds). */
  maxDatabaseConnections: number;
  /** PgBouncer `reserve_pool_size`. @default 0 */
  reservePool?: number;
  /** PgBouncer `default_pool_size` (server connections per user/database pair). @default undefined (not checked) */
  poolSizePerPair?: number;
}

const CUSTOM_PLAN_KEYS = {
  name: true,
  maxClientConnections: true,
  maxDatabaseConnections: true,
  reservePool: true,
  poolSizePerPair: true,
} as const satisfies KnownKeys<CustomPlanLimits> & KnownKeys<PlanLimits>;

/**
 * Turns a plan name (case-insensitive) or custom limits into validated {@link PlanLimits}.
 *
 * @throws {MpgkitError} `UNKNOWN_PLAN` for a name not in {@link MPG_PLANS}; `INVALID_OPTION` for
 * limits that are not positive whole numbers.
 * @example
 * ```ts
 * resolvePlan('Launch'); // MPG_PLANS.launch
 * resolvePlan({ maxClientConnections: 100, maxDatabaseConnections: 20 });
 * ```
 */
export function resolvePlan(input: string | CustomPlanLimits | PlanLimits): PlanLimits {
  if (typeof input === 'string') {
    const found = MPG_PLANS[input.trim().toLowerCase() as MpgPlanName] as PlanLimits | undefined;
    if (found === undefined || !Object.hasOwn(MPG_PLANS, input.trim().toLowerCase())) {
      throw new MpgkitError(
        MpgkitErrorCode.UnknownPlan,
        `Unknown plan "${input}". Use one of: ${Object.keys(MPG_PLANS).join(', ')}, or give custom limits.`,
        { details: { plan: input } },
      );
    }
    return found;
  }
  if (typeof input !== 'object' || input === null) {
    throw new MpgkitError(
      MpgkitErrorCode.UnknownPlan,
      `A plan is a name (${Object.keys(MPG_PLANS).join(', ')}) or custom limits { maxClientConnections, maxDatabaseConnections, reservePool? }.`,
    );
  }
  rejectUnknownKeys('A custom plan', input, CUSTOM_PLAN_KEYS);
  const reservePool = requireWholeNumber('Custom plan reservePool', input.reservePool ?? 0, 0);
  requireWholeNumber('Custom plan maxClientConnections', input.maxClientConnections);
  requireWholeNumber('Custom plan maxDatabaseConnections', input.maxDatabaseConnections);
  // PgBouncer caps the reserve pool by max_db_connections: a reserve larger than the limit cannot exist.
  if (reservePool > input.maxDatabaseConnections) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `Custom plan reservePool (${reservePool}) is larger than maxDatabaseConnections (${input.maxDatabaseConnections}); ` +
        'the reserve is the top slice of the database limit (PgBouncer caps it there). Give a reserve ≤ the limit.',
    );
  }
  const limits = plan(
    input.name ?? 'custom',
    input.maxClientConnections,
    input.maxDatabaseConnections,
    reservePool,
  );
  if (input.poolSizePerPair === undefined) return limits;
  return Object.freeze({
    ...limits,
    poolSizePerPair: requireWholeNumber('Custom plan poolSizePerPair', input.poolSizePerPair),
  });
}
