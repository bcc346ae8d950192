import { MpgkitError, MpgkitErrorCode, type Policy } from '@mpgkit/core';
import { requireDirectUrl } from '@mpgkit/core/adapter';
import knex, { type Knex } from 'knex';
import { configOn, type KnexOptions } from './knex-config.ts';

/**
 * A knex config for migrations: the **direct** URL, one connection. knex's migrator locks with a row in
 * `knex_migrations_lock` and runs each migration in a transaction (lib/migrations/migrate/Migrator.js
 * `_getLock`, `_runBatch`); session advisory locks a migration takes (`pg_advisory_lock`) then stay on the
 * one real session that runs it, never on a pooled backend another client inherits.
 *
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * const migrationDb = knex(knexMigrationConfig(policy));
 * ```
 */
export function knexMigrationConfig(policy: Policy, options: KnexOptions = {}): Knex.Config {
  requireDirectUrl(policy, 'knex migrations');
  return configOn(policy, 'direct', 1, 'migrate', options);
}

/**
 * A knex instance on {@link knexMigrationConfig}, for migrations, advisory locks and other session work.
 *
 * @example
 * ```ts
 * const migrationDb = createMigrationKnex(policy);
 * ```
 */
export function createMigrationKnex(policy: Policy, options: KnexOptions = {}): Knex {
  return knex(knexMigrationConfig(policy, options));
}

/**
 * Runs every pending migration on the direct URL (`knex.migrate.latest`) and closes the connection: the one
 * call a `release_command` needs. Resolves with knex's `[batchNo, log]`.
 *
 * @param config - knex's migrator config (`directory`, `tableName`, `loadExtensions`, ...). @default {}
 * @throws {MpgkitError} `MISSING_DIRECT_URL` without a direct URL; `MIGRATION_FAILED` (knex's error as
 * `cause`) when a migration fails.
 * @example
 * ```ts
 * await runMigrations(policy, { directory: 'migrations', loadExtensions: ['.ts'] });
 * ```
 */
export async function runMigrations(
  policy: Policy,
  config: Knex.MigratorConfig = {},
): Promise<[batch: number, log: string[]]> {
  const db = createMigrationKnex(policy);
  try {
    return (await db.migrate.latest(config)) as [number, string[]];
  } catch (error) {
    throw new MpgkitError(
      MpgkitErrorCode.MigrationFailed,
      `knex migrations failed: ${policy.redact(String((error as Error)?.message ?? error))}`,
      { cause: error },
    );
  } finally {
    await db.destroy();
  }
}
