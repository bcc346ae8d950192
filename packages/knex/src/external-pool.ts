import { createRequire } from 'node:module';
import { createPgPool, type Policy } from '@mpgkit/core';
import knex, { type Knex } from 'knex';
import type pg from 'pg';

// knex 3.3 takes a ready pool as `connectionPool` (knex#6414): a pg.Pool is wrapped by the pg dialect's
// wrapNativePool (knex 3.3.0 lib/dialects/postgres/index.js: acquire → `nativePool.connect()`, release →
// `connection.release()`), and knex neither builds its tarn pool nor ends the external one (lib/client.js
// initializeExternalPool: `this._ownsPool = false`). So on 3.3 the policy's own pg pool serves knex:
// createPgPool's lifetime (pg's maxLifetimeSeconds, jittered per connection), guard, unnamed statements, connect
// backoff and metrics, the same pool every pg-based adapter uses. Before 3.3 the client subclass
// (./policy-client.ts) gives tarn the lifetime.

let nativePools: boolean | undefined;

/** Whether the app's knex takes a pg.Pool as `connectionPool` (3.3+: its pg dialect has `wrapNativePool`). */
export function knexTakesPgPool(): boolean {
  nativePools ??=
    typeof (
      createRequire(import.meta.url)('knex/lib/dialects/postgres/index.js') as {
        prototype?: { wrapNativePool?: unknown };
      }
    ).prototype?.wrapNativePool === 'function';
  return nativePools;
}

/**
 * A knex instance on the policy's pg pool (`connectionPool`), built from a {@link knexConfig}-style config: its
 * `connection` and tarn `pool` settings go to createPgPool instead, and `destroy()` ends the pool too.
 *
 * @example
 * ```ts
 * const db = knexOnPgPool(policy, knexConfig(policy), { target: 'pooled', max: policy.poolSize });
 * ```
 */
export function knexOnPgPool(
  policy: Policy,
  config: Knex.Config,
  pool: { target: 'pooled' | 'direct'; max: number; role?: string },
): Knex {
  // The app's pg (a peer dependency), as knex itself loads it.
  const { Pool } = createRequire(import.meta.url)('pg') as typeof pg;
  const pgPool = createPgPool(policy, Pool, pool);
  const { connection: _connection, pool: _tarn, acquireConnectionTimeout: _timeout, ...rest } = config;
  const db = knex({ ...rest, connectionPool: pgPool } as Knex.Config);
  const destroy = db.destroy.bind(db) as () => Promise<void>;
  let ended: Promise<void> | undefined;
  // knex does not end a pool it was given; the app gave none, so destroy() ends it.
  const destroyAll = (callback?: (error?: unknown) => void) => {
    ended ??= destroy().finally(() => pgPool.end());
    if (callback === undefined) return ended;
    ended.then(() => callback(), callback);
    return undefined;
  };
  Object.defineProperty(db, 'destroy', { value: destroyAll, configurable: true, writable: true });
  return db;
}
