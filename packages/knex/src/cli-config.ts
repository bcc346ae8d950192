import type { Policy } from '@mpgkit/core';
import type { Knex } from 'knex';
import { type KnexOptions, knexMigrationConfig } from './driver-options.ts';

/**
 * What a `knexfile` exports for knex's CLI (`knex migrate:latest`, `knex seed:run`): the migration config on
 * the **direct** URL, one connection, with your `migrations` and `seeds` settings kept. The CLI loads the
 * knexfile and calls `knex(config)` with it (knex bin/cli.js `initKnex`).
 *
 * @param options - knex options to keep, typically `migrations` and `seeds`. @default {}
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * // knexfile.ts
 * export default knexfileConfig(policy, { migrations: { directory: './migrations' } });
 * ```
 */
export function knexfileConfig(policy: Policy, options: KnexOptions = {}): Knex.Config {
  return knexMigrationConfig(policy, options);
}
