import type { Policy } from '@mpgkit/core';
import { redactWhenPrinted } from '@mpgkit/core/adapter';
import knex, { type Knex } from 'knex';
import { type KnexOptions, knexConfig, knexMigrationConfig } from './driver-options.ts';
import { knexOnPgPool, knexTakesPgPool } from './external-pool.ts';

/**
 * The app's knex instance on {@link knexConfig}. Objection runs on it unchanged (`Model.knex(db)`). On knex
 * 3.3+ it runs on the policy's pg pool (`connectionPool`, ./external-pool.ts); before, on knex's own pool with
 * the policy's lifetime (./policy-client.ts). `destroy()` ends either.
 *
 * @example
 * ```ts
 * export const db = createKnex(policy);
 * ```
 */
export function createKnex(policy: Policy, options: KnexOptions = {}): Knex {
  const config = knexConfig(policy, options);
  return printedRedacted(
    knexTakesPgPool()
      ? knexOnPgPool(policy, config, { target: 'pooled', max: policy.poolSize })
      : knex(config),
    policy,
  );
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
  const config = knexMigrationConfig(policy, options);
  return printedRedacted(
    knexTakesPgPool()
      ? knexOnPgPool(policy, config, { target: 'direct', max: 1, role: 'migrate' })
      : knex(config),
    policy,
  );
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
