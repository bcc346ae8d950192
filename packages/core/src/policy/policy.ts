import { summarizeBudget } from '../budget/budget-summary.ts';
import type { PoolBudgetReport } from '../budget/budget-types.ts';
import type { PlanLimits } from '../budget/plans.ts';
import { MpgkitError, MpgkitErrorCode } from '../errors.ts';
import type { MeterLike } from '../metrics/pool-metrics.ts';
import type { DeployStrategy, GuardMode, PoolMode } from '../pooler.ts';
import { REDACTED, redact, redactUrl } from '../redact.ts';
import type { ResolvedTls } from '../tls/tls.ts';
import { type ConnectionTls, type ConnectionUrls, resolveConnectionUrls } from '../url/connection-url.ts';
import type { DatabaseOptions, FleetGroup, PolicyLogger } from './database-options.ts';
import { judgeFleetBudget, type LifetimeRange, normalizeDatabaseOptions } from './policy-config.ts';

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
  // Three steps, each once: validate the whole options object; resolve the URLs and TLS from it; judge the
  // fleet's budget.
  const config = normalizeDatabaseOptions(options);
  const { env, logger, pooledVar, lifetime, poolMode } = config;
  // A policy can be declared where no database URL exists (CI's `mpgkit check`, an org template's tests):
  // its URLs are then resolved on first use, and a missing one throws there, with the same message. When the
  // pooled URL is present, everything is resolved and checked here, at startup.
  let urls: ConnectionUrls | undefined;
  const resolveUrls = (): ConnectionUrls => {
    if (urls === undefined) {
      urls = resolveConnectionUrls({ ...options, env });
      for (const warning of urls.warnings) logger.warn(`[mpgkit] ${warning}`);
    }
    return urls;
  };
  if (options.pooledUrl !== undefined || nonEmpty(env[pooledVar]) !== undefined) resolveUrls();
  const budget = judgeFleetBudget(config);

  const nextLifetimeSeconds = (): number => drawLifetime(lifetime, config.random());
  const fields: Omit<Policy, 'urls' | 'tls'> = {
    poolMode,
    processGroup: config.processGroup,
    poolSize: config.poolSize,
    maxLifetimeSeconds: nextLifetimeSeconds(),
    lifetime,
    drainWindowSeconds: config.drainWindowSeconds,
    idleTimeoutSeconds: config.idleTimeoutSeconds,
    connectTimeoutSeconds: config.connectTimeoutSeconds,
    poolTimeoutSeconds: config.poolTimeoutSeconds,
    namedPreparedStatements: poolMode === 'session',
    transactionModeGuard: config.transactionModeGuard,
    applicationName: config.applicationName,
    plan: config.plan,
    fleet: config.fleet,
    deploy: config.deploy,
    directConnections: config.directConnections,
    directConnectionLimit: config.directConnectionLimit,
    budgetShare: config.budgetShare,
    budget,
    logger,
    meter: config.meter,
    perQueryMetrics: config.perQueryMetrics,
    budgetSummary: () => summarizeBudget(policy),
    nextLifetimeSeconds,
    // Before the URLs are resolved only the patterns (userinfo, password= pairs) can be removed.
    redact: (text) => redact(text, urls?.secrets ?? []),
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

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
