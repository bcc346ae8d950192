import type { PgClientLike } from './pg-driver.ts';

// OpenTelemetry's database client metrics, as the semantic conventions name them (model/db/metrics.yaml,
// v1.26 and later, "development" stability): https://github.com/open-telemetry/semantic-conventions.
// Described structurally, as drivers are: @opentelemetry/api's `Meter` satisfies these types, and core
// imports nothing of OpenTelemetry.

/** Attributes of a measurement. */
export type MetricAttributes = Record<string, string | number | boolean>;

/** What an observable instrument's callback reports to. */
export interface ObservableResultLike {
  observe(value: number, attributes?: MetricAttributes): void;
}

/** The parts of an OpenTelemetry `Meter` mpgkit uses (`metrics.getMeter('my-app')` satisfies it). */
export interface MeterLike {
  createCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): { add(value: number, attributes?: MetricAttributes): void };
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string },
  ): { record(value: number, attributes?: MetricAttributes): void };
  createObservableUpDownCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): { addCallback(callback: (result: ObservableResultLike) => void): void };
}

/** The node-postgres pool parts the metrics read (pg-pool 3.x has them). */
export interface MeasuredPgPool {
  on(event: 'connect' | 'acquire' | 'remove', listener: (client: PgClientLike) => void): unknown;
  on(event: 'release', listener: (error: Error | undefined, client: PgClientLike) => void): unknown;
  connect: (...args: never[]) => unknown;
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  options?: object;
}

/** Why a pool closed a connection: mpgkit's `mpgkit.db.client.connection.closed` attribute. */
export type ConnectionCloseReason = 'lifetime' | 'idle' | 'error' | 'pool-end' | 'other';

/** Options of {@link instrumentPgPool}. */
export interface PoolMetricsOptions {
  /** `db.client.connection.pool.name`, unique within the app. @default the pool's `application_name` */
  poolName?: string;
  /** A connection older than this when closed was closed by its lifetime (ms). @default Infinity */
  minLifetimeMs?: number;
}

const POOL_NAME = 'db.client.connection.pool.name';

/** What {@link closeReason} knows of a connection the pool closed. */
export interface ClosedConnection {
  /** Its socket closed on its own, or it was released with an error. */
  died: boolean;
  ageMs: number;
  /** Time since it was last returned to the pool. */
  idleMs: number;
  poolEnding: boolean;
  /** The shortest lifetime a connection of the pool draws. @default Infinity: no lifetime */
  minLifetimeMs?: number;
  /** The pool's idle timeout. @default undefined: none */
  idleTimeoutMs?: number;
}

/**
 * Why a pool closed a connection, in order of certainty: it died (an error: a drain's hard stop, a restart), it
 * reached its lifetime, the pool was ending, it sat idle for the idle timeout (pg-pool's timer fires a little
 * early or late: 90 % counts), or none of those (`other`).
 *
 * @example
 * ```ts
 * closeReason({ died: false, ageMs: 590_000, idleMs: 10, poolEnding: false, minLifetimeMs: 540_000 }); // 'lifetime'
 * ```
 */
export function closeReason(connection: ClosedConnection): ConnectionCloseReason {
  if (connection.died) return 'error';
  if (connection.ageMs >= (connection.minLifetimeMs ?? Number.POSITIVE_INFINITY)) return 'lifetime';
  if (connection.poolEnding) return 'pool-end';
  const { idleTimeoutMs } = connection;
  if (idleTimeoutMs !== undefined && connection.idleMs >= idleTimeoutMs * 0.9) return 'idle';
  return 'other';
}
const seconds = (ms: number) => ms / 1000;

/**
 * Reports a node-postgres pool's OpenTelemetry metrics: `db.client.connection.count` (by
 * `db.client.connection.state`, idle or used), `.max`, `.idle.max`, `.idle.min`, `.pending_requests` (read from
 * the pool's own counts when the reader collects, so they cost nothing between collections), `.timeouts`,
 * `.create_time`, `.wait_time` and `.use_time` (histograms in seconds); and mpgkit's own
 * `mpgkit.db.client.connection.closed`, by why the pool closed each connection (its lifetime, the idle timeout,
 * an error such as a drain's cut, or the pool ending). pg-pool emits `connect`, `acquire`, `release` and
 * `remove` around each connection (pg-pool 3.14 index.js) and counts `totalCount`, `idleCount`,
 * `waitingCount`.
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
  options: PoolMetricsOptions = {},
): P {
  const config = (pool.options ?? {}) as {
    max?: number;
    min?: number;
    idleTimeoutMillis?: number;
    application_name?: string;
  };
  const name = options.poolName ?? config.application_name ?? 'pg';
  const attributes = { [POOL_NAME]: name };
  const observe = (
    metric: string,
    description: string,
    unit: string,
    read: (result: ObservableResultLike) => void,
  ) => meter.createObservableUpDownCounter(metric, { description, unit }).addCallback(read);
  observe('db.client.connection.count', 'Connections in the pool, by state.', '{connection}', (result) => {
    result.observe(pool.idleCount, { ...attributes, 'db.client.connection.state': 'idle' });
    result.observe(pool.totalCount - pool.idleCount, {
      ...attributes,
      'db.client.connection.state': 'used',
    });
  });
  observe('db.client.connection.max', 'The most connections the pool opens.', '{connection}', (result) =>
    result.observe(config.max ?? 10, attributes),
  );
  observe('db.client.connection.idle.max', 'The most idle connections the pool keeps.', '{connection}', (r) =>
    r.observe(config.max ?? 10, attributes),
  );
  observe(
    'db.client.connection.idle.min',
    'The fewest idle connections the pool keeps.',
    '{connection}',
    (r) => r.observe(config.min ?? 0, attributes),
  );
  observe('db.client.connection.pending_requests', 'Requests waiting for a connection.', '{request}', (r) =>
    r.observe(pool.waitingCount, attributes),
  );
  const timeouts = meter.createCounter('db.client.connection.timeouts', {
    description: 'Requests that timed out waiting for a connection.',
    unit: '{timeout}',
  });
  // The conventions' three durations, each a histogram in seconds.
  const duration = (name: string, description: string) =>
    meter.createHistogram(`db.client.connection.${name}`, { description, unit: 's' });
  const createTime = duration('create_time', 'The time it took to open a connection.');
  const waitTime = duration('wait_time', 'The time it took to get a connection from the pool.');
  const useTime = duration('use_time', 'The time between borrowing a connection and returning it.');
  const closed = meter.createCounter('mpgkit.db.client.connection.closed', {
    description:
      'Connections the pool closed, by why: lifetime, idle, error (a drain, a restart) or pool-end.',
    unit: '{connection}',
  });

  // Per connection: when it opened, when it was last borrowed or returned, whether it failed.
  const opened = new WeakMap<object, number>();
  const borrowed = new WeakMap<object, number>();
  const returned = new WeakMap<object, number>();
  const failed = new WeakSet<object>();
  let ending = false;
  // No error listener is added here: on a client it would change what an error does (pg crashes the process
  // when none listens). A connection that died is recognised when pg-pool ends it (below).
  // Opened: the time to open it runs from pg-pool's `new Client()` (the subclass below) to this event.
  const created = new WeakMap<object, number>();
  pool.on('connect', (client) => {
    const now = performance.now();
    opened.set(client, now);
    const t0 = created.get(client);
    if (t0 !== undefined) createTime.record(seconds(now - t0), attributes);
  });
  pool.on('acquire', (client) => borrowed.set(client, performance.now()));
  pool.on('release', (error, client) => {
    const since = borrowed.get(client);
    if (since !== undefined) useTime.record(seconds(performance.now() - since), attributes);
    returned.set(client, performance.now());
    if (error) failed.add(client);
  });
  pool.on('remove', (client) => {
    const now = performance.now();
    const age = now - (opened.get(client) ?? now);
    const idleFor = now - (returned.get(client) ?? now);
    const reason = closeReason({
      died: failed.has(client),
      ageMs: age,
      idleMs: idleFor,
      poolEnding: ending,
      minLifetimeMs: options.minLifetimeMs,
      idleTimeoutMs: config.idleTimeoutMillis,
    });
    closed.add(1, { ...attributes, 'mpgkit.close.reason': reason });
  });

  // pool.connect(callback?) is where every query waits for a connection (pg-pool's query() calls it): the wait,
  // and pg-pool's "timeout exceeded when trying to connect".
  // The pool's methods and Client class are replaced on the instance, as the safety net does.
  const patched = pool as unknown as {
    connect: unknown;
    end?: (...args: unknown[]) => unknown;
    Client?: new (...args: never[]) => object;
  };
  const connect = pool.connect.bind(pool) as (callback?: (...args: unknown[]) => void) => unknown;
  const measureWait = (t0: number, error: unknown) => {
    if (error instanceof Error && /timeout exceeded when trying to connect/.test(error.message)) {
      timeouts.add(1, attributes);
    } else if (!error) waitTime.record(seconds(performance.now() - t0), attributes);
  };
  patched.connect = (callback?: (...args: unknown[]) => void) => {
    const t0 = performance.now();
    if (typeof callback === 'function') {
      return connect((error: unknown, ...rest: unknown[]) => {
        measureWait(t0, error);
        callback(error, ...rest);
      });
    }
    return (connect() as Promise<unknown>).then(
      (client) => {
        measureWait(t0, undefined);
        return client;
      },
      (error: unknown) => {
        measureWait(t0, error);
        throw error;
      },
    );
  };
  const end = patched.end;
  if (typeof end === 'function') {
    patched.end = (...args: unknown[]) => {
      ending = true;
      return end.apply(pool, args);
    };
  }
  // Stamps when pg-pool creates each client (`new this.Client()`), for create_time above.
  const Client = patched.Client;
  if (typeof Client === 'function') {
    const Base = Client as unknown as new (
      ...args: unknown[]
    ) => { end(...args: unknown[]): unknown; _ended?: boolean };
    patched.Client = class extends Base {
      constructor(...args: unknown[]) {
        super(...args);
        created.set(this, performance.now());
      }

      // pg-pool removes a connection with client.end(); pg has already set `_ended` on one whose socket closed
      // on its own (pg 8.23 lib/client.js `_connect`: the connection's 'end' handler), never on a healthy one.
      override end(...args: unknown[]): unknown {
        if (this._ended) failed.add(this);
        return super.end(...args);
      }
    };
  }
  return pool;
}
