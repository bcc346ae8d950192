import { type Policy, requireDirectUrl } from '@mpgkit/core';

/**
 * The `datasource` of `prisma.config.ts` (Prisma 7): the **direct** URL. Every Prisma CLI command
 * (migrate, db push, studio) uses `datasource.url`, and Migrate holds a session advisory lock
 * (`pg_advisory_lock(72707369)`), which a transaction pooler orphans (P1002 on the next deploy).
 *
 * @throws {MpgkitError} `MISSING_DIRECT_URL` with what to set, instead of Prisma's own `env()` error.
 * @example
 * ```ts
 * // prisma.config.ts
 * export default defineConfig({ schema: 'prisma/schema.prisma', datasource: prismaMigrateDatasource(policy) });
 * ```
 */
export function prismaMigrateDatasource(policy: Policy): { url: string } {
  return { url: requireDirectUrl(policy, 'Prisma Migrate (prisma.config.ts datasource.url)') };
}
