import type { DeployStrategy, PoolMode } from '../pooler.ts';
import type { CustomPlanLimits, PlanLimits } from './plans.ts';

// The shapes of the budget: what checkPoolBudget takes and returns, shared by the check, its explanation,
// the recommender and the text report (each in its own file).

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
  /**
   * More pools each process holds beside its main one (`poolSize`), by name: a raw pg pool beside the ORM, a
   * Reader user, a second database, a listener on the direct URL.
   * @default {}
   * @example
   * ```ts
   * { reader: { size: 5, user: 'reader' }, listener: { size: 1, route: 'direct' } }
   * ```
   */
  pools?: Readonly<Record<string, PoolDeclaration>>;
}

/**
 * One more pool a process holds. PgBouncer keeps one pool per user/database pair; a direct pool bypasses
 * PgBouncer and counts against Postgres's own connections.
 */
export interface PoolDeclaration {
  /** Connections this pool may open in each process (1 for a listener). */
  size: number;
  /** `'pooled'` through PgBouncer (the plan's limits), `'direct'` straight to Postgres. @default 'pooled' */
  route?: PoolRoute;
  /** Its database user, when not the main pool's (a Reader user). @default the main pool's user */
  user?: string;
  /** Its database, when not the main pool's. @default the main pool's database */
  database?: string;
}

/** Where a pool's connections go: through PgBouncer, or straight to Postgres on the direct URL. */
export type PoolRoute = 'pooled' | 'direct';

/** One pool of a group, as counted: the main pool is named `main`. */
export interface PoolUsage {
  readonly name: string;
  readonly route: PoolRoute;
  /** `undefined`: the main pool's (the user of the pooled URL). */
  readonly user: string | undefined;
  /** `undefined`: the main pool's (the database of the pooled URL). */
  readonly database: string | undefined;
  /** Connections per process. */
  readonly size: number;
  /** machines × processes × size. */
  readonly connections: number;
  /** The same during a deploy. */
  readonly peakConnections: number;
}

/** The client connections of one PgBouncer user/database pair, summed over the fleet. */
export interface PairUsage {
  /** `undefined`: the pooled URL's user. */
  readonly user: string | undefined;
  /** `undefined`: the pooled URL's database. */
  readonly database: string | undefined;
  readonly connections: number;
  readonly peakConnections: number;
  /** Against the plan's `poolSizePerPair` in session mode; `unknown` when the plan does not give one. */
  readonly verdict: 'ok' | 'over' | 'unknown';
}

/** Input of `checkPoolBudget`. */
export interface PoolBudgetInput {
  /** An MPG plan name or custom PgBouncer limits. */
  plan: string | CustomPlanLimits | PlanLimits;
  /** The cluster's PgBouncer pool mode. */
  poolMode: PoolMode;
  /** The fleet, one entry per process group. */
  groups: readonly ProcessGroup[];
  /** How the app deploys; bluegreen and canary run extra machines for a while. @default 'rolling' */
  deploy?: DeployStrategy;
  /** Connections that bypass PgBouncer and are always open: listeners, lock holders, admin tools. @default 0 */
  directConnections?: number;
  /**
   * Whether the app runs a `release_command` (fly.toml `[deploy]`): one more direct connection, from the
   * release machine, while a deploy runs, counted at the deploy peak only.
   * @default false
   */
  releaseCommand?: boolean;
  /**
   * How many direct connections Postgres takes: its max_connections less what PgBouncer holds and the
   * superuser reserve. MPG does not publish it; without it direct connections are reported, not judged.
   * @default undefined
   */
  directConnectionLimit?: number;
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
  /** machines × processes × Σ pooled pool sizes (the main pool and every pooled one). */
  readonly connections: number;
  /** Connections while the deploy runs. */
  readonly peakConnections: number;
  /** machines × processes × Σ direct pool sizes: they bypass PgBouncer. */
  readonly directConnections: number;
  /** The same during a deploy. */
  readonly peakDirectConnections: number;
  /** Every pool of each process, the main one first. */
  readonly pools: readonly PoolUsage[];
}

/** The result of `checkPoolBudget`: numbers, verdict, and the arithmetic in words. */
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
  /** Client connections per PgBouncer user/database pair (one pair unless pools name other users or databases). */
  readonly pairs: readonly PairUsage[];
  /** Direct connections (declared, and every direct pool), counted against Postgres itself. */
  readonly directConnections: number;
  /** The same during a deploy (direct pools of new machines too). */
  readonly peakDirectConnections: number;
  /** The limit they are judged against, when one was given. */
  readonly directConnectionLimit: number | undefined;
  /** `ok` / `over` for {@link PoolBudgetReport.peakDirectConnections} against the limit; `unknown` without one. */
  readonly directVerdict: 'ok' | 'over' | 'unknown';
  /** The arithmetic and its meaning, one sentence per line. */
  readonly explanation: readonly string[];
}
