import { fileURLToPath } from 'node:url';
import { attachStack } from '@mpgkit/test-infra';
import { describeConformance } from '@mpgkit/test-infra/conformance';
import { describe, expect, inject, it } from 'vitest';

describeConformance({
  name: 'Prisma 7 (adapter-pg)',
  module: fileURLToPath(new URL('./prisma7-subject.ts', import.meta.url)),
});

describe('the transaction-mode guard under Prisma 7', () => {
  it('refuses session-only SQL through the transaction pooler, lets Prisma work', async () => {
    const { defineDatabase } = await import('@mpgkit/core');
    const { PrismaPg } = await import('@prisma/adapter-pg');
    const { createPrisma } = await import('../src/index.ts');
    const { PrismaClient } = await import('./generated/client.ts');
    const env = attachStack(inject('mpgkitStack')).envFor('transaction');
    const policy = defineDatabase({
      env,
      poolMode: 'transaction',
      transactionModeGuard: 'throw',
      logger: { warn() {} },
    });
    const prisma = createPrisma(policy, PrismaClient, PrismaPg);
    try {
      await expect(prisma.$executeRawUnsafe('LISTEN jobs')).rejects.toThrow(
        /LISTEN cannot work through a transaction-mode PgBouncer/,
      );
      await expect(prisma.$queryRawUnsafe('SELECT pg_advisory_lock(1)')).rejects.toThrow(
        /pg_advisory_xact_lock/,
      );
      const [row] = await prisma.$transaction(
        async (tx) => tx.$queryRaw<{ one: number }[]>`SELECT 1::int AS one`,
      );
      expect(row).toEqual({ one: 1 });
    } finally {
      await prisma.$disconnect();
    }
  });
});
