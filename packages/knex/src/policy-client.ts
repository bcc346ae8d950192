import { createRequire } from 'node:module';
import type { Policy } from '@mpgkit/core';
import {
  applicationNameFor,
  hardenedPgModule,
  lifetimeOver,
  type PgClientLike,
  type PgConnectingClientLike,
  startLifetime,
} from '@mpgkit/core/adapter';
import type { Knex } from 'knex';
import { instrumentKnexPool, type TarnPoolLike } from './pool-metrics.ts';

// knex's pool (tarn) has no max connection lifetime before knex 3.2 (knex#5119 was closed without one), and
// from 3.2 its `maxConnectionLifetimeJitterMillis` only lengthens a lifetime. What every knex 3.x does call on
// each acquire is its client's `validateConnection(connection)` (knex 3.1.0 and 3.3.0 lib/client.js,
// getPoolSettings → tarn `validate`): a free connection it returns false for is destroyed and replaced
// (tarn 3.1 dist/Pool.js _validateResource). A subclass of knex's pg client that stamps each new connection
// with a lifetime drawn from the policy, and says "not valid" past it, gives knex the lifetime, jittered per
// connection, on every 3.x. A user `pool.validate` would not do: knex 3.1 overwrites it (Object.assign in
// getPoolSettings).

/** A connection of knex's pg client: a node-postgres `Client` with knex's bookkeeping. */
type KnexPgConnection = PgClientLike;

/** knex's pg dialect class (`Client_PG`), structurally: the four methods the subclass overrides. */
interface KnexPgClientClass {
  new (
    config: Knex.Config,
  ): {
    acquireRawConnection(): Promise<KnexPgConnection>;
    validateConnection(connection: KnexPgConnection): boolean | Promise<boolean>;
    poolDefaults(): Record<string, unknown>;
    _driver(): { Client: new (...args: never[]) => PgConnectingClientLike };
    initializePool(config?: Knex.Config): void;
    pool?: unknown;
  };
}

let clientPg: KnexPgClientClass | undefined;

// knex has no exports map, and its pg dialect is `lib/dialects/postgres/index.js` (`module.exports =
// Client_PG`) in every 3.x; the package exposes only the base `Client`. Loaded on first use, from the app's
// own knex (a peer dependency).
function knexPgClient(): KnexPgClientClass {
  clientPg ??= createRequire(import.meta.url)('knex/lib/dialects/postgres/index.js') as KnexPgClientClass;
  return clientPg;
}

/**
 * knex's pg client class, made to follow the policy: each connection gets its own lifetime from
 * `policy.lifetime` (checked on every acquire, so a connection is never handed out past it), the pool starts
 * empty (`min: 0`, so idle connections can all close), and in transaction mode the transaction-mode guard
 * and unnamed statements apply on the pooled URL.
 *
 * @param target - `pooled` for the app, `direct` for migrations (no guard: a real session). @default 'pooled'
 * @example
 * ```ts
 * // your own knex config, with the policy's client (lifetime, guard) and connection (URL, TLS, application_name)
 * const db = knex({ ...myConfig, client: policyKnexClient(policy), connection: knexConfig(policy).connection });
 * ```
 */
export function policyKnexClient(policy: Policy, target: 'pooled' | 'direct' = 'pooled'): typeof Knex.Client {
  const Base = knexPgClient();
  const endpoint = {
    transactionPooled: target === 'pooled' && !policy.namedPreparedStatements,
    connectTimeoutMs: Math.round(policy.connectTimeoutSeconds * 1000),
  };
  class MpgkitPgClient extends Base {
    // knex opens each connection with `new this.driver.Client(settings)`, the driver being `_driver()`'s
    // require('pg'), called once per knex instance (knex 3.1.0 lib/client.js initializeDriver,
    // lib/dialects/postgres/index.js _acquireOnlyConnection): core's hardened client rides on that Client,
    // one class (so one connect backoff) per knex pool. knex adds a statement name only for
    // `.options({ name })`, which through the pooler the hardened client strips.
    override _driver(): { Client: new (...args: never[]) => PgConnectingClientLike } {
      return hardenedPgModule(policy, super._driver(), endpoint);
    }

    // knex's own default is { min: 2, max: 10 }: two connections that are never idle-closed.
    override poolDefaults(): Record<string, unknown> {
      return { ...super.poolDefaults(), min: 0 };
    }

    override async acquireRawConnection(): Promise<KnexPgConnection> {
      const connection = await super.acquireRawConnection();
      startLifetime(connection, policy);
      return connection;
    }

    override validateConnection(connection: KnexPgConnection): boolean | Promise<boolean> {
      if (lifetimeOver(connection)) return false;
      return super.validateConnection(connection);
    }

    // knex builds its tarn pool here (knex 3.x lib/client.js initializePool); an app's own `connectionPool`
    // (knex 3.3) is the app's to measure.
    override initializePool(config?: Knex.Config): void {
      super.initializePool(config);
      const pool = this.pool as Partial<TarnPoolLike> | undefined;
      if (policy.meter !== undefined && typeof pool?.numUsed === 'function' && !config?.connectionPool) {
        instrumentKnexPool(pool as TarnPoolLike, policy.meter, {
          poolName:
            (config?.connection as { application_name?: string } | undefined)?.application_name ??
            applicationNameFor(policy),
          minLifetimeMs: policy.lifetime.minSeconds * 1000,
          perQuery: policy.perQueryMetrics,
        });
      }
    }
  }
  Object.defineProperty(MpgkitPgClient, 'name', { value: 'MpgkitPgClient' });
  return MpgkitPgClient as unknown as typeof Knex.Client;
}
