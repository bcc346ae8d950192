export {
  type PostgresOptions,
  type PostgresOverrides,
  typeormMigrationOptions,
  typeormOptions,
} from './data-source-options.ts';
export { type MigrationLockOptions, runMigrationsWithLock } from './migration-lock.ts';
