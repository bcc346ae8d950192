// @mpgkit/sequelize: the four entries every mpgkit adapter has (app client, migration client, migration
// runner, CLI config), then the options they are built on.

export { sequelizeCliConfig } from './cli-config.ts';
export { createMigrationSequelize, createSequelize } from './clients.ts';
export { type SequelizeOptions, sequelizeMigrationOptions, sequelizeOptions } from './driver-options.ts';
export { runMigrations, type SequelizeMigrationOptions, type UmzugModule } from './migrations.ts';
