import type { Policy } from '@mpgkit/core';
import { redactWhenPrinted, resolveEndpoint } from '@mpgkit/core/adapter';
import { optionsOn, type PostgresOptions, type PostgresOverrides } from './driver-options.ts';

/**
 * The configuration the TypeORM CLI reads (`typeorm migration:run -d src/data-source.ts`, whose default
 * export is a DataSource built from these options), also what {@link createMigrationDataSource} and
 * {@link runMigrations} use: the **direct** URL, `migrationsTransactionMode: 'all'` (all pending migrations in one transaction, rolled back
 * together), a pool of 2 (one connection can hold {@link runMigrations}' lock while the other
 * migrates).
 *
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * // data-source.migrate.ts, for `typeorm migration:run -d`
 * export default new DataSource({ ...typeormCliConfig(policy), migrations: ['dist/migrations/*.js'] });
 * ```
 */
export function typeormCliConfig(policy: Policy, overrides: PostgresOverrides = {}): PostgresOptions {
  const endpoint = resolveEndpoint(policy, 'direct', { role: 'migrate', purpose: 'TypeORM migrations' });
  const options = optionsOn(policy, endpoint, 2, overrides);
  return redactWhenPrinted(
    { migrationsTransactionMode: 'all', ...options, ...pick(overrides, 'migrationsTransactionMode') },
    policy.redact,
  );
}

function pick<T extends object, K extends keyof T>(value: T, key: K): Partial<Pick<T, K>> {
  return key in value ? ({ [key]: value[key] } as Partial<Pick<T, K>>) : {};
}
