import type { DataSource, Migration } from 'typeorm';

/** Options of {@link runMigrationsWithLock}. */
export interface MigrationLockOptions {
  /** The advisory lock key every deploy of the app agrees on. @default 0x6d70676b ('mpgk') */
  lockKey?: number;
  /** Passed to `dataSource.runMigrations`. @default { transaction: 'all' } */
  transaction?: 'all' | 'none' | 'each';
}

/**
 * Runs pending migrations while holding a session advisory lock, so two overlapping deploys never
 * migrate at once: TypeORM's migrations take no lock of their own. Use it on a DataSource built from
 * `typeormMigrationOptions` (the direct URL, where a session lock is really held; a pool of 2: one
 * connection holds the lock, the other migrates). A second deploy waits for the first, then finds
 * nothing pending.
 *
 * @example
 * ```ts
 * await migrationDataSource.initialize();
 * await runMigrationsWithLock(migrationDataSource);
 * ```
 */
export async function runMigrationsWithLock(
  dataSource: DataSource,
  options: MigrationLockOptions = {},
): Promise<Migration[]> {
  const key = options.lockKey ?? 0x6d70676b;
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await dataSource.runMigrations({ transaction: options.transaction ?? 'all' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await runner.release();
  }
}
