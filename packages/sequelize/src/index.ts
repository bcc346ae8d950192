// @mpgkit/sequelize: the four entries every mpgkit adapter has (app client, migration client, migration
// runner, CLI config), then the options they are built on.

export { sequelizeCliConfig } from './sequelize-cli-config.ts';
export { createSequelize } from './sequelize-client.ts';
export {
  createMigrationSequelize,
  runMigrations,
  type SequelizeMigrationOptions,
  sequelizeMigrationOptions,
  type UmzugModule,
} from './sequelize-migration.ts';
export { type SequelizeOptions, sequelizeOptions } from './sequelize-options.ts';
