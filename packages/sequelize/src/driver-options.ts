import type { Policy } from '@mpgkit/core';
import {
  connectionParts,
  hardenedPgModule,
  lifetimeOver,
  pgSslOf,
  redactWhenPrinted,
  resolveEndpoint,
  startLifetime,
} from '@mpgkit/core/adapter';
import pg from 'pg';
import type { Options, PoolOptions } from 'sequelize';

// Sequelize 6's pool (sequelize-pool 7) has `maxUses` but no lifetime. What it does call, on every acquire of
// a free connection, is `pool.validate` (sequelize-pool 7.1 lib/Pool.js `_dispense`; Sequelize passes
// `config.pool.validate` through, lib/dialects/abstract/connection-manager.js `initPools`), and an
// `afterConnect` hook runs for each new connection (`_connect`). Stamping each connection there with a
// lifetime drawn from the policy, and failing validation past it, gives Sequelize a real max lifetime,
// jittered per connection (core's startLifetime / lifetimeOver).

/** Sequelize's options, less what the policy decides (connection, pool sizes and timeouts, dialect). */
export type SequelizeOptions = Omit<
  Options,
  'dialect' | 'dialectModule' | 'host' | 'port' | 'username' | 'password' | 'database' | 'replication'
> & {
  /** Pool options the policy does not set. @default {} */
  pool?: Omit<PoolOptions, 'max' | 'min' | 'idle' | 'acquire' | 'evict' | 'validate'>;
};

/**
 * Sequelize options from the policy: the pooled URL with the policy's TLS and `application_name`, a pool of
 * `policy.poolSize` that starts empty, closes connections idle `idleTimeoutSeconds` and retires each at a
 * lifetime drawn from the policy (≤ the drain window), connect and acquire timeouts, and `logging: false`
 * unless you pass it. In transaction mode, Sequelize's per-connection session SETs are turned off
 * (`SET client_min_messages`, `SET TIME ZONE`: a transaction pooler would hand them to other clients;
 * dates still carry their offsets) and session-only SQL is refused before it is sent.
 *
 * @example
 * ```ts
 * const sequelize = new Sequelize(sequelizeOptions(policy));
 * ```
 */
export function sequelizeOptions(policy: Policy, options: SequelizeOptions = {}): Options {
  return optionsOn(policy, 'pooled', policy.poolSize, undefined, options);
}

/**
 * Sequelize options for migrations: the **direct** URL, one connection, so a session advisory lock and the
 * migrations it guards share one real session.
 *
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * const migrations = new Sequelize(sequelizeMigrationOptions(policy));
 * ```
 */
export function sequelizeMigrationOptions(policy: Policy, options: SequelizeOptions = {}): Options {
  return optionsOn(policy, 'direct', 1, 'migrate', options);
}

/** @internal Sequelize options on either URL: the one helper every entry builds on. */
export function optionsOn(
  policy: Policy,
  target: 'pooled' | 'direct',
  max: number,
  role: string | undefined,
  options: SequelizeOptions,
): Options {
  const endpoint = resolveEndpoint(policy, target, {
    ...(role === undefined ? {} : { role }),
    purpose: 'Sequelize migrations',
  });
  const { host, port, user, password, database } = connectionParts(
    endpoint.url,
    target === 'direct' ? 'the direct URL' : 'the pooled URL',
  );
  const transactionPooled = endpoint.transactionPooled;
  const idle = Math.round(policy.idleTimeoutSeconds * 1000);
  const userHook = options.hooks?.afterConnect;
  // Printing the options shows no password; Sequelize reads the real one.
  return redactWhenPrinted(
    {
      logging: false,
      ...options,
      ...(transactionPooled ? { keepDefaultTimezone: true } : {}),
      dialect: 'postgres',
      // The app's own pg, passed in as every mpgkit adapter does (Sequelize would require('pg') itself), its
      // Client core's hardened one: Sequelize opens each connection with `new this.lib.Client(config)`
      // (sequelize 6.37 lib/dialects/postgres/connection-manager.js connect). In transaction mode its own
      // session SETs at connect are off (keepDefaultTimezone, clientMinMessages 'ignore' above and below).
      dialectModule: hardenedPgModule(policy, pg, endpoint),
      host,
      ...(port === undefined ? {} : { port }),
      ...(user === undefined ? {} : { username: user }),
      ...(password === undefined ? {} : { password }),
      database,
      // lib/dialects/postgres/connection-manager.js `connect` passes exactly these to pg's Client.
      dialectOptions: {
        ...(options.dialectOptions as object | undefined),
        application_name: endpoint.applicationName,
        ssl: pgSslOf(endpoint),
        connectionTimeoutMillis: endpoint.connectTimeoutMs,
        ...(transactionPooled ? { clientMinMessages: 'ignore' } : {}),
      },
      pool: {
        ...options.pool,
        max,
        min: 0,
        idle,
        acquire: Math.round(policy.poolTimeoutSeconds * 1000),
        // sequelize-pool looks for idle connections every `evict` ms (1 s by default).
        evict: Math.min(1000, Math.max(100, Math.round(idle / 4))),
        // Sequelize's own check (postgres connection-manager.js `validate`), then the lifetime.
        validate: (connection: unknown) => {
          const client = connection as { _invalid?: boolean; _ending?: boolean };
          return !client._invalid && !client._ending && !lifetimeOver(client);
        },
      },
      hooks: {
        ...options.hooks,
        afterConnect: async (connection: unknown, config: unknown) => {
          startLifetime(connection as object, policy);
          if (typeof userHook === 'function')
            await (userHook as (c: unknown, o: unknown) => unknown)(connection, config);
        },
      },
    } as Options,
    policy.redact,
  );
}
