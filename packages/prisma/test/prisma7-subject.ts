// The conformance subject: a generated Prisma 7 client on @mpgkit/prisma's adapter.
// The adapter by its own package name: the export conditions pick the source or dist/ (CONTRIBUTING.md).
import type { Policy } from '@mpgkit/core';
import { createMigrationPrisma, createPrisma } from '@mpgkit/prisma';
import type { AppClient, MigrationClient } from '@mpgkit/test-infra/conformance';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.ts';

export function createAppClient(policy: Policy): AppClient {
  return appClientOn(createPrisma(policy, PrismaClient, PrismaPg));
}

/** The conformance operations on any generated client (the defaults control builds its own). */
export function appClientOn(prisma: PrismaClient): AppClient {
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
    async write(run, id) {
      await prisma.$executeRaw`INSERT INTO conformance_writes (run, id) VALUES (${run}, ${id})`;
    },
    writeInTransaction: (run, id) =>
      prisma.$transaction(async (tx) => {
        await tx.$executeRaw`INSERT INTO conformance_events (run, id) VALUES (${run}, ${id})`;
      }),
    close: () => prisma.$disconnect(),
  };
}

// Prisma Migrate runs from the CLI (not here: no schema engine offline), on prisma.config.ts's
// datasource.url (prismaConfig: the direct URL). This client is on the same URL, one connection.
export function createMigrationClient(policy: Policy): MigrationClient {
  const prisma = createMigrationPrisma(policy, PrismaClient, PrismaPg);
  return {
    query: <R>(sql: string) => prisma.$queryRawUnsafe<R[]>(sql),
    close: () => prisma.$disconnect(),
  };
}
