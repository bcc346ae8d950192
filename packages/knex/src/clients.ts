import type { Policy } from '@mpgkit/core';
import { redactWhenPrinted } from '@mpgkit/core/adapter';
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
  return printedRedacted(knex(knexConfig(policy, options)), policy);
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
  return printedRedacted(knex(knexMigrationConfig(policy, options)), policy);
}

// knex copies the config it is given (knex 3.1 lib/client.js: `this.connectionSettings =
// cloneDeep(config.connection)`), and the copies lose knexConfig's redaction hooks: put them on the copies.
function printedRedacted(db: Knex, policy: Policy): Knex {
  const client = db.client as { config?: object; connectionSettings?: object };
  for (const copy of [client.config, client.connectionSettings]) {
    if (typeof copy === 'object' && copy !== null) redactWhenPrinted(copy, policy.redact);
  }
  return db;
}
