import { requireOneOf } from './validation.ts';

// The vocabulary every part of mpgkit shares: how PgBouncer pools, how Fly deploys, what the guard does.
// One home, one validation each.

/** PgBouncer's pool mode, as the cluster's Pooler Settings show it. MPG's default is `session`. */
export type PoolMode = 'session' | 'transaction';

/**
 * Fly deploy strategies (`fly.toml` `[deploy] strategy`), as they change how many machines run at once:
 * `bluegreen` runs a full second set, `canary` one extra machine first, `rolling` and `immediate` none.
 */
export type DeployStrategy = 'bluegreen' | 'canary' | 'rolling' | 'immediate';

/** What the transaction-mode guard does with session-only SQL: refuse it, log it, or nothing. */
export type GuardMode = 'throw' | 'warn' | 'off';

/**
 * Every pool mode.
 *
 * @example
 * ```ts
 * POOL_MODES.join(' | '); // 'session | transaction'
 * ```
 */
export const POOL_MODES: readonly PoolMode[] = Object.freeze(['session', 'transaction']);

/**
 * Every deploy strategy.
 *
 * @example
 * ```ts
 * DEPLOY_STRATEGIES.includes('bluegreen'); // true
 * ```
 */
export const DEPLOY_STRATEGIES: readonly DeployStrategy[] = Object.freeze([
  'bluegreen',
  'canary',
  'rolling',
  'immediate',
]);

const GUARD_MODES: readonly GuardMode[] = Object.freeze(['throw', 'warn', 'off']);

/**
 * Validates a pool mode read from options, flags or files.
 *
 * @throws {MpgkitError} `INVALID_OPTION` naming the allowed values.
 * @example
 * ```ts
 * parsePoolMode(process.env.POOL_MODE ?? 'session');
 * ```
 */
export function parsePoolMode(value: unknown): PoolMode {
  return requireOneOf('Pool mode', value, POOL_MODES, "the cluster's Pooler Settings show it");
}

/**
 * Validates a deploy strategy.
 *
 * @throws {MpgkitError} `INVALID_OPTION` naming the allowed values.
 * @example
 * ```ts
 * parseDeployStrategy('bluegreen');
 * ```
 */
export function parseDeployStrategy(value: unknown): DeployStrategy {
  return requireOneOf('Deploy strategy', value, DEPLOY_STRATEGIES, "fly.toml's [deploy] strategy");
}

/**
 * Validates a guard mode.
 *
 * @throws {MpgkitError} `INVALID_OPTION` naming the allowed values.
 * @example
 * ```ts
 * parseGuardMode('warn');
 * ```
 */
export function parseGuardMode(value: unknown): GuardMode {
  return requireOneOf('transactionModeGuard', value, GUARD_MODES);
}
