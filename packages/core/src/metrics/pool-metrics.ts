import { batchHistogram } from './histogram-batch.ts';

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
    options?: { description?: string; unit?: string; advice?: { explicitBucketBoundaries?: number[] } },
  ): { record(value: number, attributes?: MetricAttributes): void };
  createObservableUpDownCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): { addCallback(callback: (result: ObservableResultLike) => void): void };
}

/** Why a pool closed a connection: mpgkit's `mpgkit.db.client.connection.closed` attribute. */
export type ConnectionCloseReason = 'lifetime' | 'idle' | 'error' | 'pool-end' | 'other';

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

/** A pool's state when the reader collects: {@link recordPoolMetrics} reads it then, so it costs nothing between. */
export interface PoolState {
  idle: number;
  used: number;
  /** Requests waiting for a connection. */
  pending: number;
  /** The most connections the pool opens. */
  max: number;
  /** The fewest idle connections it keeps. @default 0 */
  min?: number;
}

/** Options of {@link recordPoolMetrics}. */
export interface PoolMetricsOptions {
  /** `db.client.connection.pool.name`, unique within the app (mpgkit passes the pool's `application_name`). */
  poolName: string;
  /** Reads the pool's counts. */
  state(): PoolState;
  /** A connection older than this when closed was closed by its lifetime (ms). @default Infinity */
  minLifetimeMs?: number;
  /** The pool's idle timeout (ms). @default undefined: none */
  idleTimeoutMs?: number;
  /**
   * Whether to record what happens on every query: `db.client.connection.wait_time` and `.use_time`, two
   * histogram records per query, handed to the SDK in batches ({@link batchHistogram}): ~2 µs of client CPU per
   * query with OpenTelemetry's SDK 3.1 on mpgkit's stack (`pnpm bench overhead`). `false` keeps every other metric
   * (counts, limits, pending requests, timeouts, create_time, closes by reason) and records nothing per query.
   * @default true
   */
  perQuery?: boolean;
}

/**
 * What a pool bridge tells {@link recordPoolMetrics} as connections come and go. Connections are any objects,
 * kept in weak maps: a bridge need not tell of every step (a connection never `creating` has no create_time).
 */
export interface PoolMetricsRecorder {
  /** The pool started opening this connection. */
  creating(connection: object): void;
  /**
   * It is open and in the pool. `startedAt` (`performance.now()` when its opening began) is for pools that
   * tell of the opening before the connection exists. @default the time of {@link PoolMetricsRecorder.creating}
   */
  opened(connection: object, startedAt?: number): void;
  /** A request got it. */
  borrowed(connection: object): void;
  /** It came back; `failed` when it came back with an error. */
  returned(connection: object, failed?: boolean): void;
  /** It failed: its socket closed on its own, or it was handed back with an error. */
  failed(connection: object): void;
  /**
   * The pool closed it. A bridge that knows why passes the reason; otherwise {@link closeReason} infers it.
   * @default inferred
   */
  closed(connection: object, reason?: ConnectionCloseReason): void;
  /** A request started waiting for a connection; call the result when it got one, or with its error. */
  waiting(): (outcome: 'got' | 'timeout' | 'failed') => void;
  /** The pool is ending: what it closes from now on is `pool-end`. */
  ending(): void;
}

const POOL_NAME = 'db.client.connection.pool.name';

/** What the recorder keeps of one connection (performance.now() times, ms). */
interface ConnectionTimes {
  created: number | undefined;
  opened: number | undefined;
  borrowed: number | undefined;
  returned: number | undefined;
  failed: boolean;
}
const seconds = (ms: number) => ms / 1000;

/**
 * Reports one pool's OpenTelemetry metrics, named as the semantic conventions name them:
 * `db.client.connection.count` (by `db.client.connection.state`, idle or used), `.max`, `.idle.max`, `.idle.min`,
 * `.pending_requests` (read from {@link PoolMetricsOptions.state} when the reader collects), `.timeouts`,
 * `.create_time`, `.wait_time` and `.use_time` (histograms in seconds), each with
 * `db.client.connection.pool.name`; and mpgkit's own `mpgkit.db.client.connection.closed`, by
 * `mpgkit.close.reason` ({@link closeReason}). Each pool mpgkit builds has a bridge that feeds the recorder
 * from the pool's own events (pg-pool: {@link instrumentPgPool}; knex's tarn and Sequelize's pool in their
 * adapters).
 *
 * @example
 * ```ts
 * const record = recordPoolMetrics(meter, { poolName: 'my-app', state: () => ({ idle: 1, used: 0, pending: 0, max: 5 }) });
 * record.creating(connection); record.opened(connection); record.borrowed(connection); record.returned(connection);
 * ```
 */
export function recordPoolMetrics(meter: MeterLike, options: PoolMetricsOptions): PoolMetricsRecorder {
  const attributes = { [POOL_NAME]: options.poolName };
  const observe = (
    metric: string,
    description: string,
    unit: string,
    read: (result: ObservableResultLike, state: PoolState) => void,
  ) =>
    meter
      .createObservableUpDownCounter(metric, { description, unit })
      .addCallback((result) => read(result, options.state()));
  observe(
    'db.client.connection.count',
    'Connections in the pool, by state.',
    '{connection}',
    (result, state) => {
      waitTime?.flush();
      useTime?.flush();
      result.observe(state.idle, { ...attributes, 'db.client.connection.state': 'idle' });
      result.observe(state.used, { ...attributes, 'db.client.connection.state': 'used' });
    },
  );
  // `db.client.connection.max` until OpenTelemetry renamed it (semantic-conventions PR #4073; deprecated in
  // @opentelemetry/semantic-conventions 1.45.0 as "Replaced by db.client.connection.limit"). The database
  // metrics are still experimental, so the new name alone is emitted.
  observe(
    'db.client.connection.limit',
    'The most connections the pool opens.',
    '{connection}',
    (result, state) => result.observe(state.max, attributes),
  );
  observe(
    'db.client.connection.idle.max',
    'The most idle connections the pool keeps.',
    '{connection}',
    (r, s) => r.observe(s.max, attributes),
  );
  observe(
    'db.client.connection.idle.min',
    'The fewest idle connections the pool keeps.',
    '{connection}',
    (r, s) => r.observe(s.min ?? 0, attributes),
  );
  observe(
    'db.client.connection.pending_requests',
    'Requests waiting for a connection.',
    '{request}',
    (r, s) => r.observe(s.pending, attributes),
  );
  const timeouts = meter.createCounter('db.client.connection.timeouts', {
    description: 'Requests that timed out waiting for a connection.',
    unit: '{timeout}',
  });
  // The conventions' three durations, each a histogram in seconds. They advise no buckets for these; the SDK's
  // default ones (0 to 10 000) suit milliseconds, so the ones they advise for db.client.operation.duration are
  // given (docs/database/database-metrics.md: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]).
  const duration = (name: string, description: string) =>
    meter.createHistogram(`db.client.connection.${name}`, {
      description,
      unit: 's',
      advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] },
    });
  const createTime = duration('create_time', 'The time it took to open a connection.');
  // The two recorded on every query go to the SDK in batches, handed over at the latest when the reader
  // collects (the count's callback above flushes them: the SDK calls a meter's callbacks before it reads its
  // histograms, sdk-metrics MeterSharedState.collect).
  const perQuery = (name: string, description: string) =>
    (options.perQuery ?? true) ? batchHistogram(duration(name, description), attributes) : undefined;
  const waitTime = perQuery('wait_time', 'The time it took to get a connection from the pool.');
  const useTime = perQuery('use_time', 'The time between borrowing a connection and returning it.');
  const closedCount = meter.createCounter('mpgkit.db.client.connection.closed', {
    description:
      'Connections the pool closed, by why: lifetime, idle, error (a drain, a restart) or pool-end.',
    unit: '{connection}',
  });

  // Per connection, one record (one weak-map lookup per event: borrowing and returning happen on every query):
  // when it started opening, opened, was last borrowed and returned, whether it failed.
  const connections = new WeakMap<object, ConnectionTimes>();
  const timesOf = (connection: object): ConnectionTimes => {
    let times = connections.get(connection);
    if (times === undefined) {
      times = {
        created: undefined,
        opened: undefined,
        borrowed: undefined,
        returned: undefined,
        failed: false,
      };
      connections.set(connection, times);
    }
    return times;
  };
  let ending = false;
  const countTimeout = (outcome: 'got' | 'timeout' | 'failed') => {
    if (outcome === 'timeout') timeouts.add(1, attributes);
  };
  return {
    creating(connection) {
      timesOf(connection).created = performance.now();
    },
    opened(connection, startedAt) {
      const now = performance.now();
      const times = timesOf(connection);
      times.opened = now;
      const t0 = startedAt ?? times.created;
      if (t0 !== undefined) createTime.record(seconds(now - t0), attributes);
    },
    borrowed(connection) {
      if (useTime !== undefined) timesOf(connection).borrowed = performance.now();
    },
    returned(connection, withError) {
      const now = performance.now();
      const times = timesOf(connection);
      if (times.borrowed !== undefined) useTime?.record(seconds(now - times.borrowed));
      times.borrowed = undefined;
      times.returned = now;
      if (withError) times.failed = true;
    },
    failed(connection) {
      timesOf(connection).failed = true;
    },
    closed(connection, known) {
      const now = performance.now();
      const times = connections.get(connection);
      const reason =
        known ??
        closeReason({
          died: times?.failed ?? false,
          ageMs: now - (times?.opened ?? now),
          idleMs: now - (times?.returned ?? now),
          poolEnding: ending,
          minLifetimeMs: options.minLifetimeMs,
          idleTimeoutMs: options.idleTimeoutMs,
        });
      connections.delete(connection);
      closedCount.add(1, { ...attributes, 'mpgkit.close.reason': reason });
    },
    waiting() {
      if (waitTime === undefined) return countTimeout;
      const t0 = performance.now();
      return (outcome) => {
        countTimeout(outcome);
        if (outcome === 'got') waitTime.record(seconds(performance.now() - t0));
      };
    },
    ending: () => {
      ending = true;
    },
  };
}
