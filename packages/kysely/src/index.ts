// @mpgkit/kysely: the four entries every mpgkit adapter has (app client, migration client, migration
// runner, CLI config), then the dialects they are built on.

export { kyselyCtlConfig } from './kysely-ctl-config.ts';
export { createKysely, type KyselyDialectOptions, kyselyDialect } from './kysely-dialect.ts';
export {
  createMigrationKysely,
  kyselyMigrationDialect,
  type MigrationOutcome,
  type MigratorClass,
  runMigrations,
} from './kysely-migration.ts';
