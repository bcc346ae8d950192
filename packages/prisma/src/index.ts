export { prismaMigrateDatasource } from './prisma-config.ts';
export { type PrismaPgClass, type PrismaPgOptionsLike, prismaAdapter } from './prisma-pg-adapter.ts';
export { type Prisma6Urls, prisma6Urls } from './prisma6-urls.ts';
