import type { Policy } from '@mpgkit/core';
import { Kysely, type KyselyConfig } from 'kysely';
import { kyselyDialect, kyselyMigrationDialect } from './driver-options.ts';

/**
 * A Kysely instance for the app, on {@link kyselyDialect}.
 *
 * @example
 * ```ts
 * export const db = createKysely<Database>(policy);
 * ```
 */
export function createKysely<DB>(policy: Policy, config: Omit<KyselyConfig, 'dialect'> = {}): Kysely<DB> {
  return new Kysely<DB>({ ...config, dialect: kyselyDialect(policy) });
}

/**
 * A Kysely instance on {@link kyselyMigrationDialect}, for migrations and other session work.
 *
 * @example
 * ```ts
 * const migrationDb = createMigrationKysely<Database>(policy);
 * ```
 */
export function createMigrationKysely<DB>(
  policy: Policy,
  config: Omit<KyselyConfig, 'dialect'> = {},
): Kysely<DB> {
  return new Kysely<DB>({ ...config, dialect: kyselyMigrationDialect(policy) });
}
