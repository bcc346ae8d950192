// @mpgkit/prisma: the four entries every mpgkit adapter has (app client, migration client, migration
// runner, CLI config), then the builders they are made of.

export { prismaConfig } from './cli-config.ts';
export {
  type CreatePrismaOptions,
  createMigrationPrisma,
  createPrisma,
  type PrismaClientClass,
} from './clients.ts';
export {
  type PrismaPgClass,
  type PrismaPgOptionsLike,
  prismaAdapter,
  prismaMigrationAdapter,
} from './driver-options.ts';
export { type PrismaMigrateOptions, type PrismaMigrateOutcome, runMigrations } from './migrations.ts';
export { type Prisma6Urls, prisma6Urls } from './prisma6-urls.ts';
