// @mpgkit/knex: the four entries every mpgkit adapter has (app client, migration client, migration runner,
// CLI config), then the configs they are built on. Objection runs on these knex instances unchanged.

export { policyKnexClient } from './knex-client.ts';
export { createKnex, type KnexOptions, knexConfig } from './knex-config.ts';
export { createMigrationKnex, knexMigrationConfig, runMigrations } from './knex-migration.ts';
export { knexfileConfig } from './knexfile-config.ts';
