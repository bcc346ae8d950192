// @mpgkit/knex: the four entries every mpgkit adapter has (app client, migration client, migration runner,
// CLI config), then the configs they are built on. Objection runs on these knex instances unchanged.

export { knexfileConfig } from './cli-config.ts';
export { createKnex, createMigrationKnex } from './clients.ts';
export { type KnexOptions, knexConfig, knexMigrationConfig } from './driver-options.ts';
export { runMigrations } from './migrations.ts';
export { policyKnexClient } from './policy-client.ts';
