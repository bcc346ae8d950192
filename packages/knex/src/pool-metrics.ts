import { type MeterLike, recordPoolMetrics } from '@mpgkit/core/adapter';

/** The parts of tarn's `Pool` (knex's pool) the metrics read: its events and counts (tarn 3.x). */
export interface TarnPoolLike {
  on(event: string, listener: (...args: never[]) => void): unknown;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
  min: number;
  idleTimeoutMillis?: number;
}

/** Options of {@link instrumentKnexPool}. */
export interface KnexPoolMetricsOptions {
  /** `db.client.connection.pool.name`: mpgkit passes the pool's `application_name`. */
  poolName: string;
  /** A connection older than this when closed was closed by its lifetime (ms). @default Infinity */
  minLifetimeMs?: number;
  /** Record wait and use times on every query (core's `PoolMetricsOptions.perQuery`). @default true */
  perQuery?: boolean;
}

/**
 * Reports knex's pool's OpenTelemetry metrics (core's `recordPoolMetrics` lists them), from the events tarn emits
 * around each connection (tarn 3.1 dist/Pool.js: `createRequest`/`createSuccess`, `acquireRequest`/
 * `acquireSuccess`/`acquireFail`, `release`, `destroyRequest`, `poolDestroyRequest`) and its counts (`numUsed()`,
 * `numFree()`, `numPendingAcquires()`). knex's pg dialect marks a connection that errored or ended on its own
 * with `__knex__disposed` (knex 3.x lib/dialects/postgres/index.js): it closed with an error.
 *
 * @example
 * ```ts
 * const db = knex(knexConfig(policy)); // with `meter` in defineDatabase, mpgkit calls this itself
 * ```
 */
export function instrumentKnexPool(
  pool: TarnPoolLike,
  meter: MeterLike,
  options: KnexPoolMetricsOptions,
): void {
  const record = recordPoolMetrics(meter, {
    poolName: options.poolName,
    state: () => ({
      idle: pool.numFree(),
      used: pool.numUsed(),
      pending: pool.numPendingAcquires(),
      max: pool.max,
      min: pool.min,
    }),
    minLifetimeMs: options.minLifetimeMs,
    perQuery: options.perQuery,
    idleTimeoutMs: pool.idleTimeoutMillis,
  });
  // tarn names a connection's opening and a request's wait by an event id before a connection exists.
  const creating = new Map<number, number>();
  const waiting = new Map<number, ReturnType<typeof record.waiting>>();
  const on = <A extends unknown[]>(event: string, listener: (...args: A) => void) =>
    pool.on(event, listener as unknown as (...args: never[]) => void);
  on('createRequest', (id: number) => creating.set(id, performance.now()));
  on('createFail', (id: number) => creating.delete(id));
  on('createSuccess', (id: number, connection: object) => {
    record.opened(connection, creating.get(id));
    creating.delete(id);
  });
  on('acquireRequest', (id: number) => waiting.set(id, record.waiting()));
  on('acquireSuccess', (id: number, connection: object) => {
    waiting.get(id)?.('got');
    waiting.delete(id);
    record.borrowed(connection);
  });
  on('acquireFail', (id: number, error: unknown) => {
    // tarn's TimeoutError sets no `name` (tarn 3.1 dist/TimeoutError.js): its class says it.
    waiting.get(id)?.(
      error instanceof Error && error.constructor.name === 'TimeoutError' ? 'timeout' : 'failed',
    );
    waiting.delete(id);
  });
  on('release', (connection: object) => record.returned(connection));
  on('destroyRequest', (_id: number, connection: object & { __knex__disposed?: unknown }) => {
    if (connection.__knex__disposed) record.failed(connection);
    record.closed(connection);
  });
  on('poolDestroyRequest', () => record.ending());
}
