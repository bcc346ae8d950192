import type { PgClientLike } from '../driver/pg-driver.ts';
import { type MeterLike, type PoolMetricsOptions, recordPoolMetrics } from './pool-metrics.ts';

/** The node-postgres pool parts the metrics read (pg-pool 3.x has them). */
export interface MeasuredPgPool {
  on(event: 'connect' | 'acquire' | 'remove', listener: (client: PgClientLike) => void): unknown;
  on(event: 'release', listener: (error: Error | boolean | undefined, client: PgClientLike) => void): unknown;
  connect: (...args: never[]) => unknown;
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  options?: object;
}

/** Options of {@link instrumentPgPool}. */
export interface PgPoolMetricsOptions {
  /** `db.client.connection.pool.name`, unique within the app. @default the pool's `application_name` */
  poolName?: string;
  /** A connection older than this when closed was closed by its lifetime (ms). @default Infinity */
  minLifetimeMs?: number;
  /** Record wait and use times on every query ({@link PoolMetricsOptions.perQuery}). @default true */
  perQuery?: boolean;
}

/**
 * Reports a node-postgres pool's OpenTelemetry metrics ({@link recordPoolMetrics} lists them). pg-pool emits
 * `connect`, `acquire`, `release` and `remove` around each connection (pg-pool 3.14 index.js) and counts
 * `totalCount`, `idleCount`, `waitingCount`; the wait for a connection is timed around `pool.connect()`, and a
 * connection's opening from pg-pool's `new this.Client()`.
 *
 * @example
 * ```ts
 * import { metrics } from '@opentelemetry/api';
 * const policy = defineDatabase({ meter: metrics.getMeter('my-app') }); // every pool mpgkit builds
 * instrumentPgPool(myOwnPool, metrics.getMeter('my-app'), { poolName: 'reports' }); // or one pool (adapter entry)
 * ```
 */
export function instrumentPgPool<P extends MeasuredPgPool>(
  pool: P,
  meter: MeterLike,
  options: PgPoolMetricsOptions = {},
): P {
  const config = (pool.options ?? {}) as {
    max?: number;
    min?: number;
    idleTimeoutMillis?: number;
    application_name?: string;
  };
  const record = recordPoolMetrics(meter, {
    poolName: options.poolName ?? config.application_name ?? 'pg',
    // pg-pool's defaults: max 10, min 0 (pg-pool 3.14 index.js constructor).
    state: () => ({
      idle: pool.idleCount,
      used: pool.totalCount - pool.idleCount,
      pending: pool.waitingCount,
      max: config.max ?? 10,
      min: config.min ?? 0,
    }),
    minLifetimeMs: options.minLifetimeMs,
    idleTimeoutMs: config.idleTimeoutMillis,
    perQuery: options.perQuery,
  });
  // No error listener is added here: on a client it would change what an error does (pg crashes the process
  // when none listens). A connection that died is recognised when pg-pool ends it (the Client below).
  pool.on('connect', (client) => record.opened(client));
  if (options.perQuery ?? true) pool.on('acquire', (client) => record.borrowed(client));
  // pg-pool removes a released client when `err` is truthy (pg-pool 3.14 _release: `if (err || ...)`), and
  // callers pass more than errors: Kysely releases every connection with `release(Boolean(discarded))` (kysely
  // 0.29 dialect/postgres/postgres-driver.js), so `false` is a healthy release.
  pool.on('release', (error, client) => record.returned(client, Boolean(error)));
  pool.on('remove', (client) => record.closed(client));

  // pool.connect(callback?) is where every query waits for a connection (pg-pool's query() calls it): the wait,
  // and pg-pool's "timeout exceeded when trying to connect".
  // The pool's methods and Client class are replaced on the instance, as the safety net does.
  const patched = pool as unknown as {
    connect: unknown;
    end?: (...args: unknown[]) => unknown;
    Client?: new (...args: never[]) => object;
  };
  const connect = pool.connect.bind(pool) as (
    callback?: (error: unknown, client: unknown, release: unknown) => void,
  ) => unknown;
  const outcome = (error: unknown) =>
    !error
      ? 'got'
      : error instanceof Error && /timeout exceeded when trying to connect/.test(error.message)
        ? 'timeout'
        : 'failed';
  patched.connect = (callback?: (error: unknown, client: unknown, release: unknown) => void) => {
    const done = record.waiting();
    if (typeof callback === 'function') {
      // pg-pool calls back with (err, client, release) (pg-pool 3.14 index.js `_acquireClient`, `connect`).
      return connect((error, client, release) => {
        done(outcome(error));
        callback(error, client, release);
      });
    }
    return (connect() as Promise<unknown>).then(
      (client) => {
        done('got');
        return client;
      },
      (error: unknown) => {
        done(outcome(error));
        throw error;
      },
    );
  };
  const end = patched.end;
  if (typeof end === 'function') {
    patched.end = (...args: unknown[]) => {
      record.ending();
      return end.apply(pool, args);
    };
  }
  // Stamps when pg-pool creates each client (`new this.Client()`), for create_time.
  const Client = patched.Client;
  if (typeof Client === 'function') {
    const Base = Client as unknown as new (
      ...args: unknown[]
    ) => { end(...args: unknown[]): unknown; _ended?: boolean };
    patched.Client = class extends Base {
      constructor(...args: unknown[]) {
        super(...args);
        record.creating(this);
      }

      // pg-pool removes a connection with client.end(); pg has already set `_ended` on one whose socket closed
      // on its own (pg 8.23 lib/client.js `_connect`: the connection's 'end' handler), never on a healthy one.
      override end(...args: unknown[]): unknown {
        if (this._ended) record.failed(this);
        return super.end(...args);
      }
    };
  }
  return pool;
}
