import type { PgClientLike } from '../driver/pg-driver.ts';
import { MpgkitError, MpgkitErrorCode } from '../errors.ts';
import { countGuardedStatement } from '../metrics/statement-counters.ts';
import type { Policy } from '../policy/policy.ts';
import type { GuardMode } from '../pooler.ts';
import { checkPgQuery, type SessionFeature } from './session-features.ts';

// The guard's wiring on node-postgres: session-features.ts decides, this file refuses or warns.

/**
 * The error the guard throws: code `SESSION_FEATURE_IN_TRANSACTION_MODE`, the feature, the fix.
 *
 * @example
 * ```ts
 * throw sessionFeatureError({ feature: 'LISTEN', fix: '...' }, 'LISTEN jobs');
 * ```
 */
export function sessionFeatureError(found: SessionFeature, sql: string): MpgkitError {
  const excerpt = sql.replace(/\s+/g, ' ').trim().slice(0, 80);
  return new MpgkitError(
    MpgkitErrorCode.SessionFeatureInTransactionMode,
    `${found.feature} cannot work through a transaction-mode PgBouncer ("${excerpt}"). ${found.fix}`,
    { details: { feature: found.feature } },
  );
}

/**
 * The guard's verdict on one statement, for a driver whose query path mpgkit wraps (node-postgres here,
 * postgres.js in `@mpgkit/drizzle/postgres-js`): counts it, warns once per message in `warn` mode, and
 * returns the error to throw in `throw` mode; `undefined` when the statement may go.
 *
 * @param warned - The messages already warned about (one set per client). @default a new set
 * @example
 * ```ts
 * const refusal = guardStatement(policy, 'throw', findSessionFeature(text), text);
 * if (refusal) throw refusal;
 * ```
 */
export function guardStatement(
  policy: Policy,
  mode: GuardMode,
  found: SessionFeature | undefined,
  sql: string,
  warned: Set<string> = new Set(),
): MpgkitError | undefined {
  if (found === undefined || mode === 'off') return undefined;
  const error = sessionFeatureError(found, sql);
  if (policy.meter !== undefined) {
    countGuardedStatement(policy.meter, found.feature, mode === 'warn' ? 'warned' : 'refused');
  }
  if (mode === 'throw') return error;
  if (!warned.has(error.message)) policy.logger.warn(`[mpgkit] ${policy.redact(error.message)}`);
  warned.add(error.message);
  return undefined;
}

/**
 * Puts the guard on one node-postgres client (for clients not created by a pool).
 *
 * @example
 * ```ts
 * guardPgClient(client, policy, 'warn');
 * ```
 */
export function guardPgClient(
  client: PgClientLike,
  policy: Policy,
  mode: GuardMode = policy.transactionModeGuard,
): void {
  const query = client.query as ((...args: unknown[]) => unknown) | undefined;
  if (mode === 'off' || typeof query !== 'function') return;
  const warned = new Set<string>();
  client.query = function (this: unknown, ...args: unknown[]) {
    const found = checkPgQuery(args[0]);
    if (found !== undefined) {
      const text =
        typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: unknown })?.text ?? '');
      const error = guardStatement(policy, mode, found, text, warned);
      if (error !== undefined) {
        const callback = args.findLast((arg) => typeof arg === 'function') as
          | ((error: Error) => void)
          | undefined;
        if (callback !== undefined) {
          queueMicrotask(() => callback(error));
          return undefined;
        }
        if (typeof (args[0] as { submit?: unknown })?.submit === 'function') throw error;
        return Promise.reject(error);
      }
    }
    return query.apply(this, args);
  } as PgClientLike['query'];
}
