// @mpgkit/prisma: the four entries every mpgkit adapter has (app client, migration client, migration
// runner, CLI config), then the builders they are made of.
export {
  type CreatePrismaOptions,
  createMigrationPrisma,
  createPrisma,
  type PrismaClientClass,
} from './prisma-client.ts';
export { prismaConfig } from './prisma-config.ts';
export { type PrismaMigrateOptions, type PrismaMigrateOutcome, runMigrations } from './prisma-migrate.ts';
export {
  type PrismaPgClass,
  type PrismaPgOptionsLike,
  prismaAdapter,
  prismaMigrationAdapter,
} from './prisma-pg-adapter.ts';
export { type Prisma6Urls, prisma6Urls } from './prisma6-urls.ts';
