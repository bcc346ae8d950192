import { summarizeBudget } from './budget-summary.ts';
import type { PoolBudgetReport, PoolDeclaration } from './budget-types.ts';
import {
  type ConnectionTls,
  type ConnectionUrls,
  type ResolveConnectionUrlsOptions,
  resolveConnectionUrls,
} from './connection-url.ts';
import { MpgkitError, MpgkitErrorCode } from './errors.ts';
import { type CustomPlanLimits, type PlanLimits, resolvePlan } from './plans.ts';
import { budgetOf } from './pool-budget.ts';
import type { MeterLike } from './pool-metrics.ts';
import {
  type DeployStrategy,
  type GuardMode,
  type PoolMode,
  parseDeployStrategy,
  parseGuardMode,
  parsePoolMode,
} from './pooler.ts';
import { REDACTED, redact, redactUrl } from './redact.ts';
import type { ResolvedTls, TlsOptions } from './tls.ts';
import { type KnownKeys, rejectUnknownKeys } from './unknown-keys.ts';
import { requirePositiveSeconds, requireWholeNumber } from './validation.ts';

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

/** A connection lifetime range; each connection gets a lifetime in `[minSeconds, maxSeconds]`. */
export interface LifetimeRange {
  readonly minSeconds: number;
  readonly maxSeconds: number;
}

/**
 * The one declared database policy every adapter reads. Frozen; printing it (console.log, JSON) never
 * shows a password.
 */
export interface Policy {
  /**
   * The resolved URLs. Resolved when the policy is defined if the pooled URL is set, else on first read
   * (which throws `MISSING_ENV_VAR` if it is still unset): a policy can be declared without any secret.
   */
  readonly urls: ConnectionUrls;
  /** The TLS each URL uses (libpq's modes); adapters turn it into their driver's options. */
  readonly tls: ConnectionTls;
  readonly poolMode: PoolMode;
  readonly processGroup: string;
  /** Pool size of this process. */
  readonly poolSize: number;
  /** Lifetime of this process's connections, drawn once from {@link Policy.lifetime} (for drivers without per-connection jitter). */
  readonly maxLifetimeSeconds: number;
  /** The range per-connection lifetimes are drawn from; never above the drain window. */
  readonly lifetime: LifetimeRange;
  readonly drainWindowSeconds: number;
  readonly idleTimeoutSeconds: number;
  readonly connectTimeoutSeconds: number;
  readonly poolTimeoutSeconds: number;
  /** False in transaction mode: named prepared statements break through a transaction pooler. */
  readonly namedPreparedStatements: boolean;
  /** What pg pools do with session-only SQL; `'off'` in session mode. */
  readonly transactionModeGuard: GuardMode;
  readonly applicationName: string;
  readonly plan: PlanLimits | undefined;
  /** The fleet as declared (`mpgkit check` reads it, with the real machine counts from Fly). */
  readonly fleet: Readonly<Record<string, Readonly<FleetGroup>>> | undefined;
  /** How the app deploys, as declared. */
  readonly deploy: DeployStrategy;
  /** Connections that bypass PgBouncer, as declared. */
  readonly directConnections: number;
  /** Postgres connections left for direct ones, when declared. */
  readonly directConnectionLimit: number | undefined;
  /** The app's share of the plan's binding limit, when declared. */
  readonly budgetShare: number | undefined;
  /** The fleet budget, when a plan and fleet were declared. */
  readonly budget: PoolBudgetReport | undefined;
  readonly logger: PolicyLogger;
  /** The meter pools built from this policy report to, if one was given. */
  readonly meter: MeterLike | undefined;
  /** Whether pools record wait and use times on every query ({@link DatabaseOptions.perQueryMetrics}). */
  readonly perQueryMetrics: boolean;
  /**
   * How this process's group fits, in one line with no secret in it: its connections, the app's peak, its
   * share and the headroom left. Log it once at startup.
   * @example
   * ```ts
   * console.info(policy.budgetSummary());
   * // mpgkit: group web holds 30 of app peak 35 connections; share 100 of 200 max client connections (plan basic, transaction mode, rolling deploy): 65 to spare
   * ```
   */
  budgetSummary(): string;
  /** A fresh lifetime from {@link Policy.lifetime}, for drivers that take one per connection. */
  nextLifetimeSeconds(): number;
  /** Text with every password of this policy's URLs removed. */
  redact(text: string): string;
}

/**
 * Builds the database policy: the seed's defaults merged with `options`, URLs resolved, this process's
 * group and pool size picked, everything validated, and the fleet's pool budget checked at startup.
 * Put it in a shared module (an org template) and hand the result to an adapter.
 *
 * @throws {MpgkitError} on invalid options or URLs, and `POOL_BUDGET_EXCEEDED` when the fleet does not fit
 * the plan (unless `budgetCheck` is `'warn'` or `'off'`).
 * @example
 * ```ts
 * export const db = defineDatabase({
 *   poolMode: 'transaction',
 *   plan: 'launch',
 *   fleet: { app: { machines: 3, poolSize: 10 }, worker: { machines: 2, poolSize: 5 } },
 *   deploy: 'bluegreen',
 * });
 * ```
 */
export function defineDatabase(options: DatabaseOptions = {}): Policy {
  rejectUnknownDatabaseOptions('defineDatabase', options);
  const env = options.env ?? globalThis.process?.env ?? {};
  const logger = options.logger ?? consoleLogger;
  const random = options.random ?? Math.random;
  // A policy can be declared where no database URL exists (CI's `mpgkit check`, an org template's tests):
  // its URLs are then resolved on first use, and a missing one throws there, with the same message. When the
  // pooled URL is present, everything is resolved and checked here, at startup.
  const pooledVar = options.pooledEnvVar ?? 'DATABASE_URL';
  let urls: ConnectionUrls | undefined;
  const resolveUrls = (): ConnectionUrls => {
    if (urls === undefined) {
      urls = resolveConnectionUrls({ ...options, env });
      for (const warning of urls.warnings) logger.warn(`[mpgkit] ${warning}`);
    }
    return urls;
  };
  if (options.pooledUrl !== undefined || nonEmpty(env[pooledVar]) !== undefined) resolveUrls();

  const poolMode = parsePoolMode(options.poolMode ?? POLICY_DEFAULTS.poolMode);
  const processGroup = options.processGroup ?? nonEmpty(env.FLY_PROCESS_GROUP) ?? groupOffFly(options.fleet);
  // A test stack or staging proxy with a shorter drain window says so in the environment (pnpm stack:up
  // writes both), so the same policy module scales to it; explicit options win.
  const drainWindowSeconds = requirePositiveSeconds(
    'drainWindowSeconds',
    options.drainWindowSeconds ??
      secondsFromEnv(env, 'MPGKIT_DRAIN_WINDOW_SECONDS') ??
      POLICY_DEFAULTS.drainWindowSeconds,
  );
  const maxLifetime = requirePositiveSeconds(
    'maxLifetimeSeconds',
    options.maxLifetimeSeconds ?? secondsFromEnv(env, 'MPGKIT_MAX_LIFETIME_SECONDS') ?? drainWindowSeconds,
  );
  if (maxLifetime > drainWindowSeconds) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `maxLifetimeSeconds (${maxLifetime}) is longer than the proxy's drain window (${drainWindowSeconds} s): ` +
        'connections would be cut during a proxy restart. Use a value ≤ the drain window.',
    );
  }
  const jitter = options.lifetimeJitter ?? POLICY_DEFAULTS.lifetimeJitter;
  if (!(jitter >= 0 && jitter < 1)) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `lifetimeJitter must be ≥ 0 and < 1, got ${jitter}.`,
    );
  }
  const lifetime: LifetimeRange = Object.freeze({
    minSeconds: maxLifetime * (1 - jitter),
    maxSeconds: maxLifetime,
  });
  const nextLifetimeSeconds = (): number => drawLifetime(lifetime, random());

  const plan = options.plan === undefined ? undefined : resolvePlan(options.plan);
  const poolSize = pickPoolSize(options, processGroup);
  const deploy = parseDeployStrategy(options.deploy ?? 'rolling');
  const budgetShare =
    options.budgetShare === undefined ? undefined : requireWholeNumber('budgetShare', options.budgetShare);
  const budget = checkFleetBudget(options, plan, poolMode, deploy, budgetShare, logger);

  const fields: Omit<Policy, 'urls' | 'tls'> = {
    poolMode,
    processGroup,
    poolSize,
    maxLifetimeSeconds: nextLifetimeSeconds(),
    lifetime,
    drainWindowSeconds,
    idleTimeoutSeconds: requirePositiveSeconds(
      'idleTimeoutSeconds',
      options.idleTimeoutSeconds ?? POLICY_DEFAULTS.idleTimeoutSeconds,
    ),
    connectTimeoutSeconds: requirePositiveSeconds(
      'connectTimeoutSeconds',
      options.connectTimeoutSeconds ?? POLICY_DEFAULTS.connectTimeoutSeconds,
    ),
    poolTimeoutSeconds: requirePositiveSeconds(
      'poolTimeoutSeconds',
      options.poolTimeoutSeconds ?? POLICY_DEFAULTS.poolTimeoutSeconds,
    ),
    namedPreparedStatements: poolMode === 'session',
    transactionModeGuard: guardMode(options.transactionModeGuard, poolMode, env.NODE_ENV),
    applicationName: applicationName(options.applicationName, env.FLY_APP_NAME, processGroup),
    plan,
    fleet:
      options.fleet === undefined
        ? undefined
        : Object.freeze(
            Object.fromEntries(
              Object.entries(options.fleet).map(([name, group]) => [name, Object.freeze({ ...group })]),
            ),
          ),
    deploy,
    directConnections: options.directConnections ?? 0,
    directConnectionLimit: options.directConnectionLimit,
    budgetShare,
    budget,
    logger,
    meter: options.meter,
    perQueryMetrics: options.perQueryMetrics ?? true,
    budgetSummary: () => summarizeBudget(policy),
    nextLifetimeSeconds,
    // Before the URLs are resolved there is no secret to remove.
    redact: (text) => (urls === undefined ? text : redact(text, urls.secrets)),
  };
  // `urls` and `tls` are getters (not enumerable, so spreading the policy never resolves them).
  const policy = Object.defineProperties(fields, {
    urls: { get: resolveUrls },
    tls: { get: () => resolveUrls().tls },
  }) as Policy;
  // Printing the policy (console.log, util.inspect, JSON.stringify) shows redacted URLs only.
  const printable = () => ({
    ...fields,
    ...(urls === undefined
      ? { urls: `not resolved yet (${pooledVar} is not set)` }
      : {
          urls: {
            ...urls,
            pooled: redactUrl(urls.pooled),
            direct: urls.direct && redactUrl(urls.direct),
            secrets: REDACTED,
            tls: undefined,
          },
          tls: {
            pooled: printableTls(urls.tls.pooled),
            direct: urls.tls.direct && printableTls(urls.tls.direct),
          },
        }),
    logger: undefined,
    meter: undefined,
  });
  Object.defineProperty(policy, 'toJSON', { value: printable });
  Object.defineProperty(policy, Symbol.for('nodejs.util.inspect.custom'), { value: printable });
  return Object.freeze(policy);
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

/**
 * The application name a connection of this policy uses for a role: `mpgkit:web`, `mpgkit:web:migrate`,
 * `mpgkit:web:listen`. Probes and `pg_stat_activity` tell the connections apart by it. Postgres keeps 63
 * bytes of it (NAMEDATALEN − 1).
 *
 * @param role - What the connection is for. @default undefined (the app's own connections)
 * @example
 * ```ts
 * applicationNameFor(policy, 'migrate'); // 'mpgkit:app:migrate'
 * ```
 */
export function applicationNameFor(policy: Pick<Policy, 'applicationName'>, role?: string): string {
  return (role === undefined ? policy.applicationName : `${policy.applicationName}:${role}`).slice(0, 63);
}

/**
 * Draws a lifetime in `[range.minSeconds, range.maxSeconds]` from a number in [0, 1): jitter only ever
 * shortens the lifetime, never past the maximum.
 *
 * @example
 * ```ts
 * drawLifetime({ minSeconds: 540, maxSeconds: 600 }, 0.5); // 570
 * ```
 */
export function drawLifetime(range: LifetimeRange, unit: number): number {
  const clamped = Math.min(Math.max(unit, 0), 1);
  return Math.min(range.maxSeconds, range.minSeconds + (range.maxSeconds - range.minSeconds) * clamped);
}

/**
 * The direct URL of a policy, for migrations, advisory locks and LISTEN.
 *
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when it was neither given nor derivable.
 * @example
 * ```ts
 * const migrationUrl = requireDirectUrl(policy);
 * ```
 */
export function requireDirectUrl(policy: Policy, purpose = 'migrations'): string {
  if (policy.urls.direct !== undefined) return policy.urls.direct;
  throw new MpgkitError(
    MpgkitErrorCode.MissingDirectUrl,
    `No direct URL for ${purpose}: set DIRECT_DATABASE_URL (or the directUrl option) to the direct URL from ` +
      "the cluster's Connect tab. Through PgBouncer, session advisory locks and LISTEN do not work.",
  );
}

// A CA's PEM is public but long: printing says where it came from instead.
function printableTls(tls: ResolvedTls) {
  return {
    ...tls,
    ca: tls.ca === undefined ? undefined : (tls.caPath ?? `<PEM, ${tls.ca.length} characters>`),
  };
}

// Off Fly (a laptop, CI) FLY_PROCESS_GROUP is unset: the process takes the pool of the fleet's `app`
// group, or else of its first group, so the policy an app imports runs as written everywhere and the whole
// fleet's budget is still checked. On Fly the variable names the group, and an unknown one is an error.
function groupOffFly(fleet: DatabaseOptions['fleet']): string {
  if (fleet === undefined || Object.hasOwn(fleet, POLICY_DEFAULTS.processGroup))
    return POLICY_DEFAULTS.processGroup;
  return Object.keys(fleet)[0] ?? POLICY_DEFAULTS.processGroup;
}

function pickPoolSize(options: DatabaseOptions, processGroup: string): number {
  if (options.fleet === undefined)
    return requireWholeNumber('poolSize', options.poolSize ?? POLICY_DEFAULTS.poolSize);
  const group = options.fleet[processGroup];
  if (group === undefined) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `This process's group is "${processGroup}" (FLY_PROCESS_GROUP), but the fleet declares only ` +
        `${Object.keys(options.fleet).join(', ') || 'nothing'}. Add "${processGroup}" to the fleet or set processGroup.`,
    );
  }
  if (options.poolSize !== undefined && options.poolSize !== group.poolSize) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `poolSize (${options.poolSize}) disagrees with fleet.${processGroup}.poolSize (${group.poolSize}). Set it in one place.`,
    );
  }
  return requireWholeNumber(`fleet.${processGroup}.poolSize`, group.poolSize);
}

function checkFleetBudget(
  options: DatabaseOptions,
  plan: PlanLimits | undefined,
  poolMode: PoolMode,
  deploy: DeployStrategy,
  share: number | undefined,
  logger: PolicyLogger,
): PoolBudgetReport | undefined {
  if (options.fleet === undefined || plan === undefined) return undefined;
  const report = budgetOf({
    plan,
    poolMode,
    deploy,
    directConnections: options.directConnections ?? 0,
    ...(options.directConnectionLimit === undefined
      ? {}
      : { directConnectionLimit: options.directConnectionLimit }),
    groups: Object.entries(options.fleet).map(([name, group]) => ({ name, ...group })),
  });
  if (options.budgetCheck === 'off') return report;
  const overShare = share !== undefined && report.peak > share;
  if (report.verdict === 'ok' && !overShare) return report;
  const explanation = [
    ...report.explanation,
    ...(overShare
      ? [
          `This app's share of the cluster is ${share} (budgetShare), but its peak is ${report.peak}: over its ` +
            `share by ${report.peak - share}, which other apps on the cluster count on.`,
        ]
      : []),
  ];
  const over = report.verdict === 'over' || overShare;
  const message = `Pool budget ${over ? 'exceeded' : 'tight'}:\n  ${explanation.join('\n  ')}`;
  if (over && (options.budgetCheck ?? 'throw') === 'throw') {
    // Advice that fits the mode: switching to transaction mode helps only a session-mode fleet.
    const remedies =
      report.poolMode === 'session'
        ? 'Reduce pool sizes (`mpgkit budget --recommend` computes them), switch to transaction mode, or move to a larger plan.'
        : 'Reduce pool sizes (`mpgkit budget --recommend` computes them), run fewer processes, or move to a larger plan.';
    throw new MpgkitError(
      MpgkitErrorCode.PoolBudgetExceeded,
      `${message}\n${remedies} Set budgetCheck: 'warn' to start anyway.`,
      { details: { total: report.total, peak: report.peak, limit: report.limit, verdict: report.verdict } },
    );
  }
  logger.warn(`[mpgkit] ${message}`);
  return report;
}

// Node creates the `console` global lazily, at a cost of several ms of startup: touch it only to warn.
const consoleLogger: PolicyLogger = { warn: (message) => console.warn(message) };

function guardMode(value: GuardMode | undefined, poolMode: PoolMode, nodeEnv: string | undefined): GuardMode {
  if (value !== undefined) parseGuardMode(value);
  if (poolMode === 'session') return 'off';
  // In production a false positive must not break a working query; in development the error teaches.
  return value ?? (nodeEnv === 'production' ? 'off' : 'throw');
}

function applicationName(explicit: string | undefined, app: string | undefined, group: string): string {
  // Postgres truncates application_name at 63 bytes (NAMEDATALEN - 1).
  return (explicit ?? `${nonEmpty(app) ?? 'mpgkit'}:${group}`).slice(0, 63);
}

function secondsFromEnv(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const value = nonEmpty(env[name]);
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!(Number.isFinite(seconds) && seconds > 0)) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `${name} must be a positive number of seconds, got "${value.slice(0, 20)}". Unset it to use the defaults.`,
      { details: { source: name } },
    );
  }
  return seconds;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
