import type { PoolBudgetReport } from '../budget/budget-types.ts';
import { budgetInputOf, shareVerdictOf } from '../budget/fleet-budget.ts';
import { type PlanLimits, resolvePlan } from '../budget/plans.ts';
import { budgetOf } from '../budget/pool-budget.ts';
import { MpgkitError, MpgkitErrorCode } from '../errors.ts';
import type { MeterLike } from '../metrics/pool-metrics.ts';
import {
  type DeployStrategy,
  type GuardMode,
  type PoolMode,
  parseDeployStrategy,
  parseGuardMode,
  parsePoolMode,
} from '../pooler.ts';
import { describeValue, requirePositiveSeconds, requireWholeNumber } from '../validation.ts';
import {
  type DatabaseOptions,
  type FleetGroup,
  POLICY_DEFAULTS,
  type PolicyLogger,
  rejectUnknownDatabaseOptions,
} from './database-options.ts';

// defineDatabase's first step: the whole options object validated, every field once, into one normalized
// configuration (defaults and environment overrides applied), before anything is resolved or judged.

/** A connection lifetime range; each connection gets a lifetime in `[minSeconds, maxSeconds]`. */
export interface LifetimeRange {
  readonly minSeconds: number;
  readonly maxSeconds: number;
}

/** The options of {@link DatabaseOptions}, validated and with every default applied. */
export interface PolicyConfig {
  readonly options: DatabaseOptions;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: PolicyLogger;
  readonly random: () => number;
  /** The variable the pooled URL is read from. */
  readonly pooledVar: string;
  readonly poolMode: PoolMode;
  readonly processGroup: string;
  readonly poolSize: number;
  readonly drainWindowSeconds: number;
  readonly lifetime: LifetimeRange;
  readonly idleTimeoutSeconds: number;
  readonly connectTimeoutSeconds: number;
  readonly poolTimeoutSeconds: number;
  readonly transactionModeGuard: GuardMode;
  readonly applicationName: string;
  readonly plan: PlanLimits | undefined;
  readonly fleet: Readonly<Record<string, Readonly<FleetGroup>>> | undefined;
  readonly deploy: DeployStrategy;
  readonly directConnections: number;
  readonly directConnectionLimit: number | undefined;
  readonly budgetShare: number | undefined;
  readonly budgetCheck: 'throw' | 'warn' | 'off';
  readonly meter: MeterLike | undefined;
  readonly perQueryMetrics: boolean;
}

/**
 * Validates a whole {@link DatabaseOptions} object into a {@link PolicyConfig}: unknown keys refused, every
 * field checked once, defaults and the environment's overrides applied.
 *
 * @param what - the call, as messages name it. @default 'defineDatabase'
 * @throws {MpgkitError} `INVALID_OPTION` (or `UNKNOWN_PLAN`) naming the field that is wrong.
 * @example
 * ```ts
 * normalizeDatabaseOptions({ poolMode: 'transaction' }).transactionModeGuard; // 'throw' outside production
 * ```
 */
export function normalizeDatabaseOptions(options: DatabaseOptions, what = 'defineDatabase'): PolicyConfig {
  rejectUnknownDatabaseOptions(what, options);
  const env = options.env ?? globalThis.process?.env ?? {};
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
  if (!(typeof jitter === 'number' && jitter >= 0 && jitter < 1)) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `lifetimeJitter must be ≥ 0 and < 1, got ${describeValue(jitter)}.`,
    );
  }
  const budgetCheck = options.budgetCheck ?? 'throw';
  if (budgetCheck !== 'throw' && budgetCheck !== 'warn' && budgetCheck !== 'off') {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `budgetCheck must be 'throw', 'warn' or 'off', got ${JSON.stringify(String(budgetCheck).slice(0, 20))}.`,
    );
  }
  return {
    options,
    env,
    logger: options.logger ?? consoleLogger,
    random: options.random ?? Math.random,
    pooledVar: options.pooledEnvVar ?? 'DATABASE_URL',
    poolMode,
    processGroup,
    poolSize: pickPoolSize(options, processGroup),
    drainWindowSeconds,
    lifetime: Object.freeze({ minSeconds: maxLifetime * (1 - jitter), maxSeconds: maxLifetime }),
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
    transactionModeGuard: guardMode(options.transactionModeGuard, poolMode, env.NODE_ENV),
    applicationName: applicationName(options.applicationName, env.FLY_APP_NAME, processGroup),
    plan: options.plan === undefined ? undefined : resolvePlan(options.plan),
    fleet:
      options.fleet === undefined
        ? undefined
        : Object.freeze(
            Object.fromEntries(
              Object.entries(options.fleet).map(([name, group]) => [name, Object.freeze({ ...group })]),
            ),
          ),
    deploy: parseDeployStrategy(options.deploy ?? 'rolling'),
    directConnections: requireWholeNumber('directConnections', options.directConnections ?? 0, 0),
    directConnectionLimit:
      options.directConnectionLimit === undefined
        ? undefined
        : requireWholeNumber('directConnectionLimit', options.directConnectionLimit, 0),
    budgetShare:
      options.budgetShare === undefined ? undefined : requireWholeNumber('budgetShare', options.budgetShare),
    budgetCheck,
    meter: options.meter,
    perQueryMetrics: options.perQueryMetrics ?? true,
  };
}

/**
 * defineDatabase's last step: the fleet's pool budget, judged once against the plan and the app's share,
 * when both a plan and a fleet are declared. Throws or warns per `budgetCheck`.
 *
 * @throws {MpgkitError} `POOL_BUDGET_EXCEEDED` when the fleet does not fit and `budgetCheck` is `'throw'`.
 * @example
 * ```ts
 * judgeFleetBudget(normalizeDatabaseOptions(options))?.verdict; // 'ok'
 * ```
 */
export function judgeFleetBudget(config: PolicyConfig): PoolBudgetReport | undefined {
  const { plan, budgetShare: share, logger } = config;
  if (config.fleet === undefined || plan === undefined) return undefined;
  const report = budgetOf(budgetInputOf({ ...config, plan }));
  if (config.budgetCheck === 'off') return report;
  const overShare = shareVerdictOf(report, share) === 'over';
  if (report.verdict === 'ok' && !overShare) return report;
  const explanation = [
    ...report.explanation,
    ...(overShare
      ? [
          `This app's share of the cluster is ${share} (budgetShare), but its peak is ${report.peak}: over its ` +
            `share by ${report.peak - (share ?? 0)}, which other apps on the cluster count on.`,
        ]
      : []),
  ];
  const over = report.verdict === 'over' || overShare;
  const message = `Pool budget ${over ? 'exceeded' : 'tight'}:\n  ${explanation.join('\n  ')}`;
  if (over && config.budgetCheck === 'throw') {
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
