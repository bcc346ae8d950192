// The conformance subject: a generated Prisma 7 client on @mpgkit/prisma's adapter.
import { applicationNameFor, type Policy, requireDirectUrl } from '@mpgkit/core';
import type { AppClient, MigrationClient } from '@mpgkit/test-infra/conformance';
import { PrismaPg } from '@prisma/adapter-pg';
import { prismaAdapter, prismaMigrateDatasource } from '../src/index.ts';
import { PrismaClient } from './generated/client.ts';

export function createAppClient(policy: Policy): AppClient {
  const prisma = new PrismaClient({ adapter: prismaAdapter(policy, PrismaPg) });
  return {
    async echo(n, s) {
      const [row] = await prisma.$queryRaw<
        { n: number; s: string }[]
      >`SELECT ${n}::int AS n, ${s}::text AS s`;
      return row!;
    },
    transaction: (n) =>
      prisma.$transaction(async (tx) => {
        const [first] = await tx.$queryRaw<
          { id: string; n: number }[]
        >`SELECT txid_current()::text AS id, ${n}::int AS n`;
        const [second] = await tx.$queryRaw<{ id: string }[]>`SELECT txid_current()::text AS id`;
        return { n: first!.n, txids: [first!.id, second!.id] as [string, string] };
      }),
    async sleep(seconds) {
      // pg_sleep returns void, which $queryRaw cannot deserialize; $executeRaw returns no rows.
      await prisma.$executeRaw`SELECT pg_sleep(${seconds})`;
    },
    close: () => prisma.$disconnect(),
  };
}

// Prisma Migrate runs from the CLI (not here: no schema engine offline). What it would connect to is
// prisma.config.ts's datasource.url; this client uses that URL, one connection, as Migrate does.
export function createMigrationClient(policy: Policy): MigrationClient {
  const { url } = prismaMigrateDatasource(policy);
  requireDirectUrl(policy);
  const prisma = new PrismaClient({
    adapter: new PrismaPg({
      connectionString: url,
      max: 1,
      application_name: applicationNameFor(policy, 'migrate'),
    }),
  });
  return {
    query: <R>(sql: string) => prisma.$queryRawUnsafe<R[]>(sql),
    close: () => prisma.$disconnect(),
  };
}
