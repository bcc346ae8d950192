import type { Policy } from '@mpgkit/core';
import type { PostgresDialect } from 'kysely';
import { kyselyMigrationDialect } from './driver-options.ts';

/**
 * The configuration `kysely-ctl` (Kysely's CLI: `kysely migrate latest`) reads from `kysely.config.ts`,
 * with its `dialect` on the **direct** URL, one connection: the Migrator's session advisory lock is then
 * held on a real session, never orphaned on a pooled backend. kysely-ctl takes a dialect instance as
 * `dialect` (kysely-ctl 0.14 dist/templates/config-template.ts: "a real dialect instance OR a dialect
 * name + `dialectConfig`"); everything else you pass (`migrations`, `seeds`, `plugins`) is kept.
 *
 * @param config - The rest of kysely-ctl's config. @default {}
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * // kysely.config.ts
 * import { defineConfig } from 'kysely-ctl';
 * export default defineConfig(kyselyCtlConfig(policy, { migrations: { migrationFolder: 'src/migrations' } }));
 * ```
 */
export function kyselyCtlConfig<C extends object = Record<never, never>>(
  policy: Policy,
  config: C = {} as C,
): Omit<C, 'dialect'> & { dialect: PostgresDialect } {
  return { ...config, dialect: kyselyMigrationDialect(policy) };
}
