import type { Policy } from '@mpgkit/core';
import type { DataSource, Migration } from 'typeorm';
import { createMigrationDataSource } from './clients.ts';
import type { PostgresOverrides } from './driver-options.ts';

/** Options of {@link runMigrations}: the migration DataSource's options, and the lock's. */
export interface RunMigrationsOptions extends PostgresOverrides {
  /** The advisory lock key every deploy of the app agrees on. @default 0x6d70676b ('mpgk') */
  lockKey?: number;
  /** Passed to `dataSource.runMigrations`. @default 'all' */
  transaction?: 'all' | 'none' | 'each';
}

/**
 * Runs pending migrations on the direct URL while holding a session advisory lock, so two overlapping
 * deploys never migrate at once: TypeORM's migrations take no lock of their own (typeorm#4588). It builds
 * a DataSource from {@link createMigrationDataSource} with your options (or uses the one you pass, e.g.
 * your CLI data source), initializes it, and destroys what it created. A second deploy waits for the
 * first, then finds nothing pending. Resolves with the migrations it applied.
 *
 * @param source - Options for the migration DataSource (`migrations`, `migrationsTableName`, ...), or a
 * DataSource built with {@link createMigrationDataSource} / `typeormCliConfig`.
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * await runMigrations(policy, { migrations: [CreateUsers1700000000000] });
 * ```
 */
export async function runMigrations(
  policy: Policy,
  source: RunMigrationsOptions | DataSource = {},
): Promise<Migration[]> {
  const given = isDataSource(source);
  const { lockKey = 0x6d70676b, transaction = 'all', ...overrides } = given ? {} : source;
  const dataSource = given ? source : createMigrationDataSource(policy, overrides);
  const initializedHere = !dataSource.isInitialized;
  if (initializedHere) await dataSource.initialize();
  try {
    return await withLock(dataSource, lockKey, () => dataSource.runMigrations({ transaction }));
  } finally {
    if (initializedHere) await dataSource.destroy();
  }
}

// One QueryRunner holds the lock on its own connection (the migration pool has 2) for the whole run.
async function withLock<T>(dataSource: DataSource, key: number, work: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await runner.release();
  }
}

function isDataSource(value: RunMigrationsOptions | DataSource): value is DataSource {
  return typeof (value as Partial<DataSource>).runMigrations === 'function';
}
