// The app: Prisma 7 through PgBouncer (transaction mode) with the policy's pool settings.
import { createPrisma } from '@mpgkit/prisma';
import { PrismaPg } from '@prisma/adapter-pg';
import { policy } from './db-policy.ts';
import { PrismaClient } from './generated/client.ts';

const prisma = createPrisma(policy, PrismaClient, PrismaPg);
try {
  const visit = await prisma.visit.create({ data: { path: '/' } });
  const [first, total] = await prisma.$transaction([
    prisma.visit.findFirstOrThrow({ where: { id: visit.id } }),
    prisma.visit.count(),
  ]);
  console.log(
    `visit ${first.id} to ${first.path}; ${total} visits (pool ${policy.poolSize}, ${policy.poolMode} mode)`,
  );
} finally {
  await prisma.$disconnect();
}
