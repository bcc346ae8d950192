import type { Policy } from '@mpgkit/core';
import knex, { type Knex } from 'knex';
import { type KnexOptions, knexConfig, knexMigrationConfig } from './driver-options.ts';

/**
 * The app's knex instance on {@link knexConfig}. Objection runs on it unchanged (`Model.knex(db)`).
 *
 * @example
 * ```ts
 * export const db = createKnex(policy);
 * ```
 */
export function createKnex(policy: Policy, options: KnexOptions = {}): Knex {
  return knex(knexConfig(policy, options));
}

/**
 * A knex instance on {@link knexMigrationConfig}, for migrations, advisory locks and other session work.
 *
 * @example
 * ```ts
 * const migrationDb = createMigrationKnex(policy);
 * ```
 */
export function createMigrationKnex(policy: Policy, options: KnexOptions = {}): Knex {
  return knex(knexMigrationConfig(policy, options));
}
