export { createKysely, type KyselyDialectOptions, kyselyDialect } from './kysely-dialect.ts';
export {
  createMigrationKysely,
  kyselyMigrationDialect,
  type MigrationOutcome,
  type MigratorClass,
  migrateToLatest,
} from './kysely-migration.ts';
