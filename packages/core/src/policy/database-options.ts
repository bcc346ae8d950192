import type { PoolDeclaration } from '../budget/budget-types.ts';
import type { CustomPlanLimits, PlanLimits } from '../budget/plans.ts';
import type { MeterLike } from '../metrics/pool-metrics.ts';
import type { DeployStrategy, GuardMode, PoolMode } from '../pooler.ts';
import type { TlsOptions } from '../tls/tls.ts';
import { type KnownKeys, rejectUnknownKeys } from '../unknown-keys.ts';
import type { ResolveConnectionUrlsOptions } from '../url/connection-url.ts';

// What an app declares: the options of defineDatabase, their defaults, and the one check that every key is
// one of them. policy-config.ts turns them into a validated configuration.

/**
 * The defaults from MPG's "Connect Your Client" guide (shared/seeds/000).
 *
 * @example
 * ```ts
 * POLICY_DEFAULTS.maxLifetimeSeconds; // 600
 * ```
 */
export const POLICY_DEFAULTS: Readonly<{
  poolMode: PoolMode;
  poolSize: number;
  drainWindowSeconds: number;
  maxLifetimeSeconds: number;
  lifetimeJitter: number;
  idleTimeoutSeconds: number;
  connectTimeoutSeconds: number;
  poolTimeoutSeconds: number;
  processGroup: string;
}> = Object.freeze({
  poolMode: 'session', // MPG's default pool mode
  poolSize: 10,
  drainWindowSeconds: 600, // the proxy's shutdown timeout
  maxLifetimeSeconds: 600,
  lifetimeJitter: 0.1,
  idleTimeoutSeconds: 300,
  connectTimeoutSeconds: 5,
  poolTimeoutSeconds: 30,
  processGroup: 'app',
});

/** A process group as declared in {@link DatabaseOptions.fleet}. */
export interface FleetGroup {
  /** Machines running this group. */
  machines: number;
  /** Pool size of each process of this group. */
  poolSize: number;
  /** Processes per machine, each with its own pool. @default 1 */
  processesPerMachine?: number;
  /**
   * More pools each process holds beside the main one: a raw pg pool beside the ORM, a Reader user, a second
   * database, a listener (`route: 'direct'`). Each is counted where it lands.
   * @default {}
   * @example
   * ```ts
   * { reader: { size: 5, user: 'reader' }, listener: { size: 1, route: 'direct' } }
   * ```
   */
  pools?: Readonly<Record<string, PoolDeclaration>>;
}

/** Where warnings go. @default console */
export interface PolicyLogger {
  warn(message: string): void;
}

/** Options of {@link defineDatabase}. Every field is optional; the defaults are the seed guide's. */
export interface DatabaseOptions extends ResolveConnectionUrlsOptions {
  /** The cluster's PgBouncer pool mode. @default 'session' */
  poolMode?: PoolMode;
  /** The plan (for the budget check), or custom limits for another PgBouncer. @default undefined */
  plan?: string | CustomPlanLimits | PlanLimits;
  /** Every process group of the app, to check the budget of the whole fleet at startup. @default undefined */
  fleet?: Readonly<Record<string, FleetGroup>>;
  /** How the app deploys, for the budget's deploy peak. @default 'rolling' */
  deploy?: DeployStrategy;
  /** Connections that bypass PgBouncer (release command, listeners), reported beside the budget. @default 0 */
  directConnections?: number;
  /** Postgres connections left for direct ones; when given, direct connections are judged against it. @default undefined */
  directConnectionLimit?: number;
  /**
   * The part of the plan's binding limit this app may use, when several apps share one cluster (`mpgkit
   * check --cluster` checks that the shares add up). The fleet's deploy peak is then checked against it.
   * @default undefined (the whole limit)
   */
  budgetShare?: number;
  /** What a failed budget check does at startup. `reserve` verdicts always only warn. @default 'throw' */
  budgetCheck?: 'throw' | 'warn' | 'off';
  /**
   * This process's group.
   * @default process.env.FLY_PROCESS_GROUP; off Fly, 'app', or the fleet's first group when it has no 'app'
   */
  processGroup?: string;
  /** Pool size of this process, when no fleet is declared. @default 10 */
  poolSize?: number;
  /** The proxy's shutdown timeout: no connection may live longer. @default env MPGKIT_DRAIN_WINDOW_SECONDS ?? 600 */
  drainWindowSeconds?: number;
  /** Upper bound of a connection's lifetime (≤ drainWindowSeconds). @default env MPGKIT_MAX_LIFETIME_SECONDS ?? drainWindowSeconds */
  maxLifetimeSeconds?: number;
  /** Each lifetime is drawn from [max × (1 − jitter), max], so a fleet never reconnects in lockstep. @default 0.1 */
  lifetimeJitter?: number;
  /** Close connections idle this long. @default 300 */
  idleTimeoutSeconds?: number;
  /** Give up opening a connection after this long. @default 5 */
  connectTimeoutSeconds?: number;
  /** Give up waiting for a free pool slot after this long (Prisma 6's `pool_timeout`). @default 30 */
  poolTimeoutSeconds?: number;
  /** `application_name`, visible in `pg_stat_activity`. @default `${FLY_APP_NAME ?? 'mpgkit'}:${processGroup}` */
  applicationName?: string;
  /**
   * What pg pools built from this policy do with session-only SQL (session SET, LISTEN, session advisory
   * locks, ...) in transaction mode. Session mode is always `'off'`: everything works there.
   * @default 'throw' outside production, 'off' when NODE_ENV is 'production'
   */
  transactionModeGuard?: GuardMode;
  /** Where warnings go. @default console */
  logger?: PolicyLogger;
  /**
   * An OpenTelemetry `Meter` (structurally: {@link MeterLike}); every pg pool built from the policy then reports
   * the connection-pool metrics of OpenTelemetry's conventions (see {@link instrumentPgPool}). Without one,
   * nothing is measured and nothing costs.
   * @default undefined
   */
  meter?: MeterLike;
  /**
   * With a {@link meter}: whether pools also record `db.client.connection.wait_time` and `.use_time`, two
   * histogram records on every query (batched, ~2 µs of client CPU per query with OpenTelemetry's SDK on
   * mpgkit's stack, `pnpm bench overhead`). `false` keeps the counts, limits, pending requests, timeouts, create_time and
   * closes by reason, at no cost per query.
   * @default true
   * @example
   * ```ts
   * defineDatabase({ meter: metrics.getMeter('api'), perQueryMetrics: false }); // a hot path: no per-query cost
   * ```
   */
  perQueryMetrics?: boolean;
  /** Random source for lifetime jitter, in [0, 1). @default Math.random */
  random?: () => number;
}

/** Every key of {@link DatabaseOptions}: a typo is refused, not silently ignored. */
const DATABASE_OPTION_KEYS = {
  env: true,
  pooledEnvVar: true,
  directEnvVar: true,
  pooledUrl: true,
  directUrl: true,
  database: true,
  user: true,
  password: true,
  tls: true,
  poolMode: true,
  plan: true,
  fleet: true,
  deploy: true,
  directConnections: true,
  directConnectionLimit: true,
  budgetShare: true,
  budgetCheck: true,
  processGroup: true,
  poolSize: true,
  drainWindowSeconds: true,
  maxLifetimeSeconds: true,
  lifetimeJitter: true,
  idleTimeoutSeconds: true,
  connectTimeoutSeconds: true,
  poolTimeoutSeconds: true,
  applicationName: true,
  transactionModeGuard: true,
  logger: true,
  meter: true,
  perQueryMetrics: true,
  random: true,
} as const satisfies KnownKeys<DatabaseOptions>;

const FLEET_GROUP_KEYS = {
  machines: true,
  poolSize: true,
  processesPerMachine: true,
  pools: true,
} as const satisfies KnownKeys<FleetGroup>;

const POOL_DECLARATION_KEYS = {
  size: true,
  route: true,
  user: true,
  database: true,
} as const satisfies KnownKeys<PoolDeclaration>;

const TLS_OPTION_KEYS = { mode: true, ca: true } as const satisfies KnownKeys<TlsOptions>;

/**
 * Refuses a {@link DatabaseOptions} object with a key it does not have, nested objects included (`tls`,
 * each fleet group and its pools), before any of it is used: a typo such as `poolmode` would otherwise
 * leave the default in force without a word.
 *
 * @param what - the call, as the message names it.
 * @throws {MpgkitError} `INVALID_OPTION` naming the key and the closest valid one.
 * @example
 * ```ts
 * rejectUnknownDatabaseOptions('defineDatabase', { poolmode: 'transaction' }); // throws: did you mean "poolMode"?
 * ```
 */
export function rejectUnknownDatabaseOptions(what: string, options: DatabaseOptions): void {
  rejectUnknownKeys(what, options, DATABASE_OPTION_KEYS);
  if (typeof options.tls === 'object' && options.tls !== null) {
    rejectUnknownKeys(`${what} tls`, options.tls, TLS_OPTION_KEYS);
  }
  for (const [name, group] of Object.entries(options.fleet ?? {})) {
    rejectUnknownKeys(`${what} fleet.${name}`, group, FLEET_GROUP_KEYS);
    for (const [pool, declaration] of Object.entries(group?.pools ?? {})) {
      rejectUnknownKeys(`${what} fleet.${name}.pools.${pool}`, declaration, POOL_DECLARATION_KEYS);
    }
  }
}
