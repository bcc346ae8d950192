import { MpgkitError, MpgkitErrorCode, type Policy } from '@mpgkit/core';
import { requireDirectUrl } from '@mpgkit/core/adapter';
import { Kysely, type KyselyConfig, type PostgresDialect } from 'kysely';
import { dialectOn, type KyselyDialectOptions } from './kysely-dialect.ts';

/**
 * A dialect for migrations: the **direct** URL, one connection. Since Kysely 0.29.3 (and 0.28.18) the
 * Migrator takes a session `pg_advisory_lock` (kysely dist/dialect/postgres/postgres-adapter.js), which a
 * transaction pooler orphans on a pooled backend; with one direct connection the lock and the migration
 * transaction share one real session (migrator.js runs both on one `db.connection()`).
 *
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * const migrationDb = new Kysely<Database>({ dialect: kyselyMigrationDialect(policy) });
 * ```
 */
export function kyselyMigrationDialect(policy: Policy, options: KyselyDialectOptions = {}): PostgresDialect {
  requireDirectUrl(policy, 'Kysely migrations');
  return dialectOn(policy, { target: 'direct', max: 1, role: 'migrate' }, options);
}

/**
 * A Kysely instance on {@link kyselyMigrationDialect}, for migrations and other session work.
 *
 * @example
 * ```ts
 * const migrationDb = createMigrationKysely<Database>(policy);
 * ```
 */
export function createMigrationKysely<DB>(
  policy: Policy,
  config: Omit<KyselyConfig, 'dialect'> = {},
): Kysely<DB> {
  return new Kysely<DB>({ ...config, dialect: kyselyMigrationDialect(policy) });
}

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
