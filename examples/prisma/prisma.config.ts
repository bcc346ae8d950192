// Every Prisma CLI command (migrate deploy, db push, studio) uses datasource.url: the direct URL.
// Prisma Migrate holds a session advisory lock, which a transaction pooler would orphan (P1002).
import { prismaConfig } from '@mpgkit/prisma';
import { defineConfig } from 'prisma/config';
import { policy } from './src/db-policy.ts';

export default defineConfig(
  prismaConfig(policy, { schema: 'prisma/schema.prisma', migrations: { path: 'prisma/migrations' } }),
);
