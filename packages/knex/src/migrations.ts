import { MpgkitError, MpgkitErrorCode, type Policy } from '@mpgkit/core';
import type { Knex } from 'knex';
import { createMigrationKnex } from './clients.ts';

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
