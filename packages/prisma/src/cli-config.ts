import type { Policy } from '@mpgkit/core';
import { redactWhenPrinted } from '@mpgkit/core/adapter';
import { prismaDirectUrl } from './prisma6-urls.ts';

/**
 * The configuration the Prisma CLI reads from `prisma.config.ts` (Prisma 7), with `datasource.url` on
 * the **direct** URL. Every Prisma CLI command (migrate, db push, studio) uses `datasource.url`, and
 * Migrate holds a session advisory lock (`pg_advisory_lock(72707369)`), which a transaction pooler orphans
 * (P1002 on the next deploy). Everything else you pass (`schema`, `migrations`) is kept.
 *
 * @param config - The rest of Prisma's config. @default {}
 * @throws {MpgkitError} `MISSING_DIRECT_URL` with what to set, instead of Prisma's own `env()` error.
 * @example
 * ```ts
 * // prisma.config.ts
 * import { defineConfig } from 'prisma/config';
 * export default defineConfig(prismaConfig(policy, { schema: 'prisma/schema.prisma' }));
 * ```
 */
export function prismaConfig<C extends object = Record<never, never>>(
  policy: Policy,
  config: C = {} as C,
): Omit<C, 'datasource'> & { datasource: { url: string } } {
  const url = prismaDirectUrl(policy, 'Prisma Migrate (prisma.config.ts datasource.url)');
  return redactWhenPrinted({ ...config, datasource: { url } }, policy.redact);
}
