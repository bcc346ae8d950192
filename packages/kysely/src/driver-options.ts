import { createPgPool, type Policy } from '@mpgkit/core';
import { type PgPoolConfigOptions, requireDirectUrl } from '@mpgkit/core/adapter';
import { PostgresDialect, type PostgresDialectConfig } from 'kysely';
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
  return optionsOn(policy, {}, options);
}

/**
 * A dialect for migrations: the **direct** URL, one connection. Since Kysely 0.29.3 (and 0.28.18) the
 * Migrator takes a session `pg_advisory_lock` (kysely dist/dialect/postgres/postgres-adapter.js), which a
 * transaction pooler orphans on a pooled backend; with one direct connection the lock and the migration
 * transaction share one real session (migrator.js runs both on one `db.connection()`).
 *
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * const migrationDb = new Kysely<Database>({ dialect: kyselyMigrationDialect(policy) });
 * ```
 */
export function kyselyMigrationDialect(policy: Policy, options: KyselyDialectOptions = {}): PostgresDialect {
  requireDirectUrl(policy, 'Kysely migrations');
  return optionsOn(policy, { target: 'direct', max: 1, role: 'migrate' }, options);
}

/** @internal A dialect over a policy-built pool on either URL: the one helper every entry builds on. */
export function optionsOn(
  policy: Policy,
  pool: PgPoolConfigOptions,
  options: KyselyDialectOptions,
): PostgresDialect {
  return new PostgresDialect({ ...options, pool: createPgPool(policy, pg.Pool, pool) });
}
