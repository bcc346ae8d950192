import { type MeterLike, recordPoolMetrics } from '@mpgkit/core/adapter';
import type { Sequelize } from 'sequelize';

/** Options of {@link instrumentSequelizePool}. */
export interface SequelizePoolMetricsOptions {
  /** `db.client.connection.pool.name`: mpgkit passes the pool's `application_name`. */
  poolName: string;
  /** A connection older than this when closed was closed by its lifetime (ms). @default Infinity */
  minLifetimeMs?: number;
  /** The pool's idle timeout (ms). @default undefined: none */
  idleTimeoutMs?: number;
  /** Record wait and use times on every query (core's `PoolMetricsOptions.perQuery`). @default true */
  perQuery?: boolean;
}

// sequelize-pool 7's public counts (lib/Pool.js getters), Sequelize's single pool when not replicating.
interface SequelizePoolLike {
  readonly size: number;
  readonly available: number;
  readonly using: number;
  readonly waiting: number;
  readonly maxSize: number;
  readonly minSize: number;
}

interface ConnectionManagerLike {
  pool?: Partial<SequelizePoolLike>;
  getConnection(options?: unknown): Promise<object>;
  releaseConnection(connection: object): unknown;
}

/**
 * Reports a Sequelize instance's pool metrics (core's `recordPoolMetrics` lists them). Sequelize 6 opens and
 * closes every connection through `_connect`/`_disconnect`, which run the `beforeConnect`, `afterConnect` and
 * `beforeDisconnect` hooks (lib/dialects/abstract/connection-manager.js), and every request takes and returns one
 * through `getConnection` (which turns sequelize-pool's timeout into `SequelizeConnectionAcquireTimeoutError`)
 * and `releaseConnection`; the counts are sequelize-pool's getters. The pg dialect marks a connection that
 * errored `_invalid` (lib/dialects/postgres/connection-manager.js); pg marks one whose socket closed `_ended`.
 * Hooks give no connection before it opens: a connection's create_time pairs the earliest pending
 * `beforeConnect` with each `afterConnect`, exact unless opens finish out of order.
 *
 * @example
 * ```ts
 * const sequelize = createSequelize(policy); // with `meter` in defineDatabase, mpgkit calls this itself
 * ```
 */
export function instrumentSequelizePool(
  sequelize: Sequelize,
  meter: MeterLike,
  options: SequelizePoolMetricsOptions,
): void {
  const manager = (sequelize as unknown as { connectionManager: ConnectionManagerLike }).connectionManager;
  const pool = () => manager.pool ?? {};
  const record = recordPoolMetrics(meter, {
    poolName: options.poolName,
    state: () => {
      const { available = 0, using = 0, waiting = 0, maxSize = 0, minSize = 0 } = pool();
      return { idle: available, used: using, pending: waiting, max: maxSize, min: minSize };
    },
    minLifetimeMs: options.minLifetimeMs,
    perQuery: options.perQuery,
    idleTimeoutMs: options.idleTimeoutMs,
  });
  const opening: number[] = [];
  sequelize.addHook('beforeConnect', () => {
    opening.push(performance.now());
  });
  sequelize.addHook('afterConnect', (connection) => {
    record.opened(connection as object, opening.shift());
  });
  sequelize.addHook('beforeDisconnect', (connection) => {
    const closing = connection as { _invalid?: boolean; _ended?: boolean };
    if (closing._invalid || closing._ended) record.failed(closing);
    record.closed(closing);
  });
  const getConnection = manager.getConnection.bind(manager);
  manager.getConnection = async (request) => {
    const done = record.waiting();
    try {
      const connection = await getConnection(request);
      done('got');
      record.borrowed(connection);
      return connection;
    } catch (error) {
      done(
        (error as Error | undefined)?.name === 'SequelizeConnectionAcquireTimeoutError'
          ? 'timeout'
          : 'failed',
      );
      throw error;
    }
  };
  const releaseConnection = manager.releaseConnection.bind(manager);
  manager.releaseConnection = (connection) => {
    record.returned(connection);
    return releaseConnection(connection);
  };
  const close = sequelize.close.bind(sequelize);
  sequelize.close = () => {
    record.ending();
    return close();
  };
}
