import { MpgkitError, MpgkitErrorCode, type Policy } from '@mpgkit/core';
import { type KnownKeys, rejectUnknownKeys } from '@mpgkit/core/adapter';
import { QueryTypes } from 'sequelize';
import { createMigrationSequelize } from './clients.ts';
import { eitherToolResolver } from './migration-resolver.ts';

/**
 * The part of umzug's module {@link runMigrations} uses: its `Umzug` and `SequelizeStorage` classes (umzug 3
 * lib/umzug.js and lib/storage/sequelize.js). Their options are umzug's own; `never` lets umzug's exact types
 * through without mpgkit importing them.
 */
export interface UmzugModule {
  Umzug: new (options: never) => { up(): Promise<Array<{ name: string }>> };
  SequelizeStorage: new (options: never) => unknown;
}

/** Options of {@link runMigrations}. */
export interface SequelizeMigrationOptions {
  /**
   * umzug's `migrations`: `{ glob: 'migrations/*.js' }`, or a list of `{ name, up, down }`. A `glob` without a
   * `resolve` of its own runs files written for sequelize-cli (`up(queryInterface, Sequelize)`) and for umzug
   * (`up({ context })`) alike.
   */
  migrations: unknown;
  /** The table umzug records migrations in. @default 'SequelizeMeta' (sequelize-cli's) */
  tableName?: string;
  /** The session advisory lock key that keeps two deploys from migrating at once. @default 72_707_369 */
  lockKey?: number;
}

/**
 * Runs every pending migration with umzug on the direct URL, under a session advisory lock on the same one
 * connection (umzug itself takes none), and closes it: the one call a `release_command` needs. A migration
 * file is called as sequelize-cli calls it and as umzug does (./migration-resolver.ts), so the two tools share
 * one folder and one `SequelizeMeta` history. Resolves with the names of the migrations it ran.
 *
 * @param umzug - umzug's module (`import * as umzug from 'umzug'`), passed in as drivers are.
 * @throws {MpgkitError} `MISSING_DIRECT_URL` without a direct URL; `MIGRATION_FAILED` (umzug's error as
 * `cause`) when a migration fails.
 * @example
 * ```ts
 * import * as umzug from 'umzug';
 * await runMigrations(policy, umzug, { migrations: { glob: 'migrations/*.js' } });
 * ```
 */
export async function runMigrations(
  policy: Policy,
  umzug: UmzugModule,
  options: SequelizeMigrationOptions,
): Promise<string[]> {
  rejectUnknownKeys('runMigrations', options, {
    migrations: true,
    tableName: true,
    lockKey: true,
  } satisfies KnownKeys<SequelizeMigrationOptions>);
  const sequelize = createMigrationSequelize(policy);
  const lock = { replacements: [options.lockKey ?? 72_707_369], type: QueryTypes.SELECT };
  try {
    await sequelize.query('SELECT pg_advisory_lock(?)', lock);
    try {
      const storage = new umzug.SequelizeStorage({
        sequelize,
        tableName: options.tableName ?? 'SequelizeMeta',
      } as never);
      const migrator = new umzug.Umzug({
        migrations: withEitherToolResolver(options.migrations, sequelize.constructor),
        context: sequelize.getQueryInterface(),
        storage,
        logger: undefined,
      } as never);
      return (await migrator.up()).map((migration) => migration.name);
    } finally {
      await sequelize.query('SELECT pg_advisory_unlock(?)', lock);
    }
  } catch (error) {
    throw new MpgkitError(
      MpgkitErrorCode.MigrationFailed,
      `Sequelize migrations failed: ${policy.redact(String((error as Error)?.message ?? error))}`,
      { cause: error },
    );
  } finally {
    await sequelize.close();
  }
}

// A glob without its own resolver gets the one that reads both tools' migrations; anything else is umzug's.
function withEitherToolResolver(migrations: unknown, Sequelize: unknown): unknown {
  if (typeof migrations !== 'object' || migrations === null || Array.isArray(migrations)) return migrations;
  const glob = migrations as { glob?: unknown; resolve?: unknown };
  if (glob.glob === undefined || glob.resolve !== undefined) return migrations;
  return { ...glob, resolve: eitherToolResolver(Sequelize) };
}
