// The release command: `prisma migrate deploy` with this app's Prisma CLI. prisma.config.ts points it at the
// direct URL (prismaConfig), so Migrate's session advisory lock is held on a real session.
import { runMigrations } from '@mpgkit/prisma';
import { policy } from './db-policy.ts';

const { output } = await runMigrations(policy);
console.log(output);
