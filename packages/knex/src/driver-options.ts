import { MpgkitError, MpgkitErrorCode, type Policy } from '@mpgkit/core';
import { redactWhenPrinted, requireDirectUrl, toPgPoolConfig } from '@mpgkit/core/adapter';
import type { Knex } from 'knex';
import { policyKnexClient } from './policy-client.ts';

/** knex's own config, less what the policy decides (client, connection, pool size and timeouts). */
export type KnexOptions = Omit<Knex.Config, 'client' | 'connection' | 'pool' | 'acquireConnectionTimeout'> & {
  /** Pool options the policy does not set (`afterCreate`, `log`, ...). @default {} */
  pool?: Omit<
    Knex.PoolConfig,
    'min' | 'max' | 'idleTimeoutMillis' | 'acquireTimeoutMillis' | 'createTimeoutMillis'
  >;
};

/**
 * A knex config from the policy: knex's pg client with a real max connection lifetime (jittered per
 * connection), the pooled URL with the policy's TLS and `application_name`, a pool of `policy.poolSize` that
 * starts empty and closes connections idle `idleTimeoutSeconds`, connect and acquire timeouts, and in
 * transaction mode the guard and unnamed statements. knex attaches an `error` listener to each connection
 * (lib/dialects/postgres/index.js `_acquireOnlyConnection`), so a proxy drain cannot crash the process.
 *
 * @param options - knex's other options (`searchPath` is refused in transaction mode: it is a session SET).
 * @example
 * ```ts
 * const db = knex(knexConfig(policy));
 * ```
 */
export function knexConfig(policy: Policy, options: KnexOptions = {}): Knex.Config {
  return optionsOn(policy, 'pooled', policy.poolSize, undefined, options);
}

/**
 * A knex config for migrations: the **direct** URL, one connection. knex's migrator locks with a row in
 * `knex_migrations_lock` and runs each migration in a transaction (lib/migrations/migrate/Migrator.js
 * `_getLock`, `_runBatch`); session advisory locks a migration takes (`pg_advisory_lock`) then stay on the
 * one real session that runs it, never on a pooled backend another client inherits.
 *
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * const migrationDb = knex(knexMigrationConfig(policy));
 * ```
 */
export function knexMigrationConfig(policy: Policy, options: KnexOptions = {}): Knex.Config {
  requireDirectUrl(policy, 'knex migrations');
  return optionsOn(policy, 'direct', 1, 'migrate', options);
}

/** @internal A knex config on either URL: the one helper every entry builds on. */
export function optionsOn(
  policy: Policy,
  target: 'pooled' | 'direct',
  max: number,
  role: string | undefined,
  options: KnexOptions,
): Knex.Config {
  const pg = toPgPoolConfig(policy, { target, max, ...(role === undefined ? {} : { role }) });
  const idleMillis = pg.idleTimeoutMillis;
  if (options.searchPath !== undefined && target === 'pooled' && !policy.namedPreparedStatements) {
    // knex runs `set search_path to …` on each new connection (lib/dialects/postgres/index.js
    // setSchemaSearchPath): a session SET that a transaction pooler hands to other clients.
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      'searchPath sets search_path for the whole session, which a transaction-mode PgBouncer shares with other ' +
        'clients. Qualify names (db.withSchema(…)), or SET LOCAL search_path inside a transaction.',
    );
  }
  return {
    ...options,
    // knex's logger prints whole stacks with console.log (lib/logger.js); through the policy's logger they
    // are one redacted line each, as every mpgkit warning is.
    log: { warn: toPolicyLogger(policy), error: toPolicyLogger(policy), ...options.log },
    client: policyKnexClient(policy, target),
    // What a pg Client reads (knex passes `connection` to `new pg.Client`); printed, the URL is redacted.
    connection: redactWhenPrinted(
      {
        connectionString: pg.connectionString,
        ssl: pg.ssl,
        application_name: pg.application_name,
        connectionTimeoutMillis: pg.connectionTimeoutMillis,
      },
      policy.redact,
    ),
    acquireConnectionTimeout: Math.round(policy.poolTimeoutSeconds * 1000),
    pool: {
      ...options.pool,
      min: 0,
      max,
      idleTimeoutMillis: idleMillis,
      // tarn looks for idle connections every second by default; a short idle timeout needs a closer look.
      reapIntervalMillis: Math.min(1000, Math.max(100, Math.round(idleMillis / 4))),
      createTimeoutMillis: pg.connectionTimeoutMillis,
      acquireTimeoutMillis: Math.round(policy.poolTimeoutSeconds * 1000),
    },
  };
}

function toPolicyLogger(policy: Policy): (message: unknown) => void {
  return (message) => {
    const text = message instanceof Error ? message.message : String(message);
    policy.logger.warn(`[mpgkit] knex: ${policy.redact(text.split('\n')[0] ?? '')}`);
  };
}
