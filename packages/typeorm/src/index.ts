// @mpgkit/typeorm: the four entries every mpgkit adapter has (app client, migration client, migration
// runner, CLI config), then the options they are built from.
export { createDataSource, createMigrationDataSource } from './data-source.ts';
export {
  type PostgresOptions,
  type PostgresOverrides,
  typeormCliConfig,
  typeormOptions,
} from './data-source-options.ts';
export { type RunMigrationsOptions, runMigrations } from './migration-lock.ts';
