import { createPgPool, type Policy } from '@mpgkit/core';
import type { PgPoolConfigOptions } from '@mpgkit/core/adapter';
import { Kysely, type KyselyConfig, PostgresDialect, type PostgresDialectConfig } from 'kysely';
import pg from 'pg';

/** Options of {@link kyselyDialect}: PostgresDialect's own options, except the pool, which the policy builds. */
export type KyselyDialectOptions = Omit<PostgresDialectConfig, 'pool'>;

/**
 * A Kysely `PostgresDialect` over a node-postgres pool built from the policy: pooled URL, pool size from
 * the budget, lifetime within the drain window (jittered per connection), idle 300 s, connect 5 s, and
 * error listeners on the pool and every checked-out client (Kysely adds none, so without them a proxy
 * restart can crash the process). Kysely never names statements, so it is safe in transaction mode.
 *
 * @example
 * ```ts
 * const db = new Kysely<Database>({ dialect: kyselyDialect(policy) });
 * ```
 */
export function kyselyDialect(policy: Policy, options: KyselyDialectOptions = {}): PostgresDialect {
  return dialectOn(policy, {}, options);
}

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

/** @internal A dialect over a policy-built pool on either URL. */
export function dialectOn(
  policy: Policy,
  pool: PgPoolConfigOptions,
  options: KyselyDialectOptions,
): PostgresDialect {
  return new PostgresDialect({ ...options, pool: createPgPool(policy, pg.Pool, pool) });
}
