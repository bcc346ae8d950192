import { createPgPool, type Policy, requireDirectUrl } from '@mpgkit/core';
import type { DrizzleConfig } from 'drizzle-orm';
import type { MigrationConfig } from 'drizzle-orm/migrator';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

/**
 * Drizzle over a node-postgres pool built from the policy: pooled URL, pool size from the budget,
 * lifetime within the drain window (jittered per connection), idle 300 s, connect 5 s, and error
 * listeners on the pool and on every checked-out client (`drizzle({ connection })` adds none). In
 * transaction mode the pool sends named queries unnamed, so `.prepare('name')` works through PgBouncer
 * (it is re-parsed per call instead of failing with `prepared statement "name" does not exist`).
 *
 * @example
 * ```ts
 * export const db = drizzleNodePostgres(policy, { schema });
 * ```
 */
export function drizzleNodePostgres<TSchema extends Record<string, unknown> = Record<string, never>>(
  policy: Policy,
  config: DrizzleConfig<TSchema> = {},
): NodePgDatabase<TSchema> & { $client: pg.Pool } {
  return drizzle({ ...config, client: createPgPool(policy, pg.Pool) });
}

/**
 * Drizzle on the **direct** URL with one connection, for migrations and session work (advisory locks).
 *
 * @example
 * ```ts
 * const migrationDb = drizzleNodePostgresDirect(policy);
 * ```
 */
export function drizzleNodePostgresDirect<TSchema extends Record<string, unknown> = Record<string, never>>(
  policy: Policy,
  config: DrizzleConfig<TSchema> = {},
): NodePgDatabase<TSchema> & { $client: pg.Pool } {
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
 * @example
 * ```ts
 * await migrateNodePostgres(policy, { migrationsFolder: './drizzle' });
 * ```
 */
export async function migrateNodePostgres(policy: Policy, config: MigrationConfig): Promise<void> {
  const db = drizzleNodePostgresDirect(policy);
  try {
    await migrate(db, config);
  } finally {
    await db.$client.end();
  }
}
