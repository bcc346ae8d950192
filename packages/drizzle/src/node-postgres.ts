import type { Policy } from '@mpgkit/core';
import { createPgPool } from '@mpgkit/core';
import { requireDirectUrl } from '@mpgkit/core/adapter';
import type { DrizzleConfig } from 'drizzle-orm';
import type { MigrationConfig } from 'drizzle-orm/migrator';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

export {
  type DrizzleKitCredentials,
  type DrizzleKitDatabase,
  drizzleKitConfig,
} from './cli-config.ts';

/** A Drizzle database over a node-postgres pool, with the pool as `$client`. */
export type DrizzleNodePostgres<TSchema extends Record<string, unknown>> = NodePgDatabase<TSchema> & {
  $client: pg.Pool;
};

/**
 * Drizzle over a node-postgres pool built from the policy: pooled URL, pool size from the budget,
 * lifetime within the drain window (jittered per connection), idle 300 s, connect 5 s, and error
 * listeners on the pool and on every checked-out client (`drizzle({ connection })` adds none). In
 * transaction mode the pool sends named queries unnamed, so `.prepare('name')` works through PgBouncer
 * (it is re-parsed per call instead of failing with `prepared statement "name" does not exist`).
 *
 * @param config - Drizzle's own config (`schema`, `logger`, `casing`). @default {}
 * @example
 * ```ts
 * export const db = createDrizzle(policy, { schema });
 * ```
 */
export function createDrizzle<TSchema extends Record<string, unknown> = Record<string, never>>(
  policy: Policy,
  config: DrizzleConfig<TSchema> = {},
): DrizzleNodePostgres<TSchema> {
  return withReleasingTransactions(drizzle({ ...config, client: createPgPool(policy, pg.Pool) }), config);
}

// drizzle-orm's node-postgres transaction runs BEGIN before its try and ROLLBACK inside its catch
// (drizzle-orm 0.45.4 node-postgres/session.js NodePgSession.transaction): when BEGIN fails (a restarted
// Postgres, a pool-mode change) the pool client is never released, and when ROLLBACK fails its error hides
// the real one and a broken client goes back to the pool. Repeated faults drain the pool to zero and
// pool.end() hangs (measured on the stack). Here each transaction holds its client itself: it is always
// released, and destroyed when BEGIN, COMMIT or ROLLBACK failed; the error thrown is the callback's own.
function withReleasingTransactions<TSchema extends Record<string, unknown>>(
  db: DrizzleNodePostgres<TSchema>,
  config: DrizzleConfig<TSchema>,
): DrizzleNodePostgres<TSchema> {
  const pool = db.$client;
  const transaction: DrizzleNodePostgres<TSchema>['transaction'] = async (work, transactionConfig) => {
    const client = await pool.connect();
    let thrownByWork: { error: unknown } | undefined;
    let broken: Error | undefined;
    try {
      // Over one client (not a pool), drizzle runs the transaction on it and leaves releasing to us.
      return await drizzle({ ...config, client }).transaction(async (tx) => {
        try {
          return await work(tx);
        } catch (error) {
          thrownByWork = { error };
          throw error;
        }
      }, transactionConfig);
    } catch (error) {
      if (thrownByWork === undefined || error !== thrownByWork.error) broken = error as Error;
      throw thrownByWork === undefined ? error : thrownByWork.error;
    } finally {
      client.release(broken);
    }
  };
  return Object.assign(db, { transaction });
}

/**
 * Drizzle on the **direct** URL with one connection, for migrations and session work (advisory locks).
 *
 * @param config - Drizzle's own config. @default {}
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * const migrationDb = createMigrationDrizzle(policy);
 * ```
 */
export function createMigrationDrizzle<TSchema extends Record<string, unknown> = Record<string, never>>(
  policy: Policy,
  config: DrizzleConfig<TSchema> = {},
): DrizzleNodePostgres<TSchema> {
  requireDirectUrl(policy, 'Drizzle migrations');
  return drizzle({
    ...config,
    client: createPgPool(policy, pg.Pool, { target: 'direct', max: 1, role: 'migrate' }),
  });
}

/**
 * Applies pending migrations on the direct URL and closes the connection. Drizzle's `migrate()` takes no
 * lock and runs all pending migrations in one transaction.
 *
 * @param config - Drizzle's migration config (`migrationsFolder`, `migrationsTable`).
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * await runMigrations(policy, { migrationsFolder: './drizzle' });
 * ```
 */
export async function runMigrations(policy: Policy, config: MigrationConfig): Promise<void> {
  const db = createMigrationDrizzle(policy);
  try {
    await migrate(db, config);
  } finally {
    await db.$client.end();
  }
}
