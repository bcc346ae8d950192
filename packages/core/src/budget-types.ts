import type { CustomPlanLimits, PlanLimits } from './plans.ts';
import type { DeployStrategy, PoolMode } from './pooler.ts';

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
  /** Connections that bypass PgBouncer: release command, listeners, lock holders, admin tools. @default 0 */
  directConnections?: number;
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
  /** machines × processes × pool size. */
  readonly connections: number;
  /** Connections while the deploy runs. */
  readonly peakConnections: number;
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
  /** Direct connections, counted against Postgres itself. */
  readonly directConnections: number;
  /** The limit they are judged against, when one was given. */
  readonly directConnectionLimit: number | undefined;
  /** `ok` / `over` against {@link PoolBudgetReport.directConnectionLimit}; `unknown` without a limit. */
  readonly directVerdict: 'ok' | 'over' | 'unknown';
  /** The arithmetic and its meaning, one sentence per line. */
  readonly explanation: readonly string[];
}
