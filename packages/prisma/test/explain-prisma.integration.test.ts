import { classifyError, defineDatabase, explainError } from '@mpgkit/core';
import { attachStack, errorOf } from '@mpgkit/test-infra';
import { PrismaPg } from '@prisma/adapter-pg';
import { expect, inject, it } from 'vitest';
import { createPrisma } from '../src/index.ts';
import { PrismaClient } from './generated/client.ts';

// Prisma 7's real errors from real faults on the stack, explained as pg's and postgres.js's are.
const stack = attachStack(inject('mpgkitStack'));

const prismaOn = (url: string) =>
  createPrisma(
    defineDatabase({ env: { DATABASE_URL: url }, poolMode: 'transaction', logger: { warn() {} } }),
    PrismaClient,
    PrismaPg,
  );

it('database does not exist, directly and through PgBouncer: never retried', async () => {
  for (const route of ['direct', 'transaction'] as const) {
    const prisma = prismaOn(stack.url(route, { database: 'mpgkit_nope' }));
    const error = await errorOf(() => prisma.$queryRaw`SELECT 1`);
    await prisma.$disconnect();
    expect(explainError(error, 'prisma'), route).toMatchObject({
      id: 'database-does-not-exist',
      retry: 'never',
    });
  }
});

it('statement timeout (57014) in an interactive transaction: safe to repeat, nothing took effect', async () => {
  const prisma = prismaOn(stack.url('transaction'));
  const error = await errorOf(() =>
    prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SET LOCAL statement_timeout = '50ms'`;
      await tx.$executeRaw`SELECT pg_sleep(2)`;
    }),
  );
  await prisma.$disconnect();
  expect(explainError(error, 'prisma')).toMatchObject({ id: 'statement-timeout', retry: 'safe' });
  expect(classifyError(error).retrySafe).toBe(true);
});
