import { MpgkitError, MpgkitErrorCode, type Policy } from '@mpgkit/core';
import type { Kysely } from 'kysely';
import { createMigrationKysely } from './clients.ts';

/**
 * The part of Kysely's `Migrator` class {@link runMigrations} uses. It is passed in because it moved:
 * `import { Migrator } from 'kysely'` up to 0.28, `from 'kysely/migration'` since 0.29.
 */
export interface MigratorClass<Props> {
  new (props: Props & { db: Kysely<unknown> }): { migrateToLatest(): Promise<MigrationOutcome> };
}

/** Kysely's `MigrationResultSet`, structurally. */
export interface MigrationOutcome {
  error?: unknown;
  results?: ReadonlyArray<{
    migrationName: string;
    direction: 'Up' | 'Down';
    status: 'Success' | 'Error' | 'NotExecuted';
  }>;
}

/**
 * Runs every pending migration on the direct URL and closes the connection: the one call a
 * `release_command` needs. The Migrator's session lock and its transaction share the one direct connection. Resolves with Kysely's result set.
 *
 * @param Migrator - Kysely's `Migrator` (from `kysely/migration` since 0.29, from `kysely` before).
 * @param props - The Migrator's own props, without `db` (e.g. `provider`, `migrationTableName`).
 * @throws {MpgkitError} `MISSING_DIRECT_URL` without a direct URL; `MIGRATION_FAILED` (Kysely's error as
 * `cause`) when a migration fails.
 * @example
 * ```ts
 * import { FileMigrationProvider, Migrator } from 'kysely/migration';
 * await runMigrations(policy, Migrator, { provider: new FileMigrationProvider({ fs, path, migrationFolder }) });
 * ```
 */
export async function runMigrations<Props extends object>(
  policy: Policy,
  Migrator: MigratorClass<Props>,
  props: Props,
): Promise<MigrationOutcome> {
  const db = createMigrationKysely<unknown>(policy);
  try {
    const result = await new Migrator({ ...props, db }).migrateToLatest();
    if (result.error !== undefined) {
      const failed = result.results?.find((migration) => migration.status === 'Error')?.migrationName;
      throw new MpgkitError(
        MpgkitErrorCode.MigrationFailed,
        `Migration ${failed === undefined ? '' : `"${failed}" `}failed: ${policy.redact(String((result.error as Error)?.message ?? result.error))}`,
        { cause: result.error },
      );
    }
    return result;
  } finally {
    await db.destroy();
  }
}
