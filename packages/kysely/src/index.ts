// @mpgkit/kysely: the four entries every mpgkit adapter has (app client, migration client, migration
// runner, CLI config), then the dialects they are built on.

export { kyselyCtlConfig } from './cli-config.ts';
export { createKysely, createMigrationKysely } from './clients.ts';
export { type KyselyDialectOptions, kyselyDialect, kyselyMigrationDialect } from './driver-options.ts';
export { type MigrationOutcome, type MigratorClass, runMigrations } from './migrations.ts';
