// @mpgkit/typeorm: the four entries every mpgkit adapter has (app client, migration client, migration
// runner, CLI config), then the options they are built from.
export { typeormCliConfig } from './cli-config.ts';
export { createDataSource, createMigrationDataSource } from './clients.ts';
export { type PostgresOptions, type PostgresOverrides, typeormOptions } from './driver-options.ts';
export { type RunMigrationsOptions, runMigrations } from './migrations.ts';
