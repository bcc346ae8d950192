import { classifyError, defineDatabase, explainError } from '@mpgkit/core';
import { attachStack, scaledPolicyOptions } from '@mpgkit/test-infra';
import { PrismaPg } from '@prisma/adapter-pg';
import { describe, expect, inject, it } from 'vitest';
import { createPrisma } from '../src/index.ts';
import { PrismaClient } from './generated/client.ts';

const stack = attachStack(inject('mpgkitStack'));

// Prisma's interactive transactions have a timeout (5 s by default) and a maxWait for a connection (2 s):
// past either, Prisma throws P2028. Produced here for real, through the pooler, and classified.
describe('Prisma P2028 (Transaction API error), from real timeouts', () => {
  it('a transaction that outlives its timeout', async () => {
    const policy = defineDatabase({
      ...scaledPolicyOptions(stack, 'transaction', 'prisma-p2028'),
      logger: { warn() {} },
    });
    const prisma = createPrisma(policy, PrismaClient, PrismaPg);
    try {
      const error = await prisma
        .$transaction(
          async (tx) => {
            await tx.$executeRaw`SELECT pg_sleep(0.4)`;
            await tx.$executeRaw`SELECT 1`;
          },
          { timeout: 100 },
        )
        .then(
          (): Error & { code?: string } => new Error('resolved'),
          (caught: unknown) => caught as Error & { code?: string },
        );
      expect(error.code).toBe('P2028');
      expect(error.message).toMatch(
        /Transaction API error: A query cannot be executed on an expired transaction/,
      );
      const explained = explainError(error);
      expect(explained?.id).toBe('prisma-transaction-closed');
      expect(classifyError(error)).toMatchObject({ transient: true, retrySafe: false, phase: 'in-flight' });
    } finally {
      await prisma.$disconnect();
    }
  });
});
