import { type ConnectBackoffOptions, connectBackoffWithin, withConnectBackoff } from './connect-backoff.ts';
import { FAILURE_PHASE } from './connection-errors.ts';
import {
  connectSeeingErrors,
  type PgClientLike,
  type PgConnectingClientLike,
  type PgPoolConfig,
  type PgPoolLike,
} from './pg-driver.ts';
import { instrumentPgPool, type MeasuredPgPool } from './pg-pool-metrics.ts';
import { type PgPoolConfigOptions, toPgPoolConfig } from './pg-pool-options.ts';
import type { Policy } from './policy.ts';
import { guardPgPool } from './transaction-mode-guard.ts';

/** Where a connection error was caught. */
export type ConnectionErrorSite = 'idle' | 'checked-out';

/** Options of {@link attachPoolSafetyNet} and {@link createPgPool}. */
export interface PoolSafetyNetOptions {
  /** Called for every connection error the net catches. @default a one-line, redacted `policy.logger.warn` */
  onError?: (error: Error, site: ConnectionErrorSite) => void;
  /** Give each new connection its own lifetime from `policy.lifetime`. @default true */
  perConnectionJitter?: boolean;
  /**
   * Wait before connecting again while connecting keeps failing (capped exponential backoff with full jitter,
   * reset by the first connection that works; see {@link withConnectBackoff}), so a fleet whose database
   * restarts does not flood PgBouncer with logins. The cap stays below half the connect timeout. `false`
   * connects at once every time, as pg-pool alone does.
   * @default { baseDelayMs: 50, maxDelayMs: 1000 }
   */
  connectBackoff?: ConnectBackoffOptions | false;
}

const guarded = new WeakSet<object>();

/**
 * Makes a node-postgres pool survive connections dying under it (proxy drain, PgBouncer restart,
 * terminated backend): an `error` listener on the pool for idle connections, and one on every client for
 * the time it is checked out. Without them Node crashes on the unhandled `error` event
 * (pg #3202, TypeORM #5999, Prisma #27641). Also gives each connection its own jittered lifetime, so
 * one pool's connections do not all expire in the same instant.
 *
 * Idempotent: attaching twice adds nothing.
 *
 * @example
 * ```ts
 * const pool = attachPoolSafetyNet(new pg.Pool(toPgPoolConfig(policy)), policy);
 * ```
 */
export function attachPoolSafetyNet<P extends PgPoolLike>(
  pool: P,
  policy: Policy,
  options: PoolSafetyNetOptions = {},
): P {
  if (guarded.has(pool)) return pool;
  guarded.add(pool);
  const onError = options.onError ?? defaultErrorReporter(policy);
  // pg-pool re-emits an idle client's error on the pool; with no listener, Node throws it.
  pool.on('error', (error) => onError(error, 'idle'));
  // pool.connect() removes the pool's own listener from a checked-out client
  // (pg-pool 3.14 _acquireClient: client.removeListener('error', idleListener)), so a client that dies
  // while held needs a listener of its own: added once per client, for its whole life. It reports only
  // while the client is checked out; an idle client's error reaches the pool's listener above (reported
  // twice before, once wrongly as checked out). pg-pool emits 'acquire' and 'release' around each use.
  const checkedOut = new WeakSet<object>();
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_error, client) => checkedOut.delete(client));
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      if (checkedOut.has(client)) onError(error, 'checked-out');
    });
  });
  if (options.perConnectionJitter ?? true) installPerConnectionLifetime(pool, policy);
  markConnectFailures(pool);
  installConnectBackoff(pool, options.connectBackoff);
  if (policy.meter !== undefined && 'totalCount' in pool) {
    instrumentPgPool(pool as unknown as MeasuredPgPool, policy.meter, {
      minLifetimeMs: policy.lifetime.minSeconds * 1000,
      perQuery: policy.perQueryMetrics,
    });
  }
  return pool;
}

// pg-pool opens each connection with `new this.Client(options)` and `client.connect(callback)`, and hands
// a failure to the waiting query as is (pg-pool 3.14 index.js newClient). "Connection terminated
// unexpectedly" then reads like a query cut in flight; marked here, the classifier knows nothing was sent,
// so retry() may repeat even a write.
function markConnectFailures(pool: PgPoolLike): void {
  const Client = pool.Client;
  if (typeof Client !== 'function') return;
  const Base = Client as unknown as new (...args: unknown[]) => PgConnectingClientLike;
  pool.Client = class extends Base {
    override connect(callback?: (error?: Error | null) => void): unknown {
      const mark = (error: unknown) => {
        if (typeof error === 'object' && error !== null && Object.isExtensible(error)) {
          Object.defineProperty(error, FAILURE_PHASE, { value: 'connect', configurable: true });
        }
      };
      return connectSeeingErrors((done) => super.connect(done), callback, mark);
    }
  } as unknown as typeof Client;
}

// pg-pool instantiates `pool.Client` for each connection (index.js newClient); one backoff per pool.
function installConnectBackoff(pool: PgPoolLike, options: ConnectBackoffOptions | false | undefined): void {
  if (typeof pool.Client !== 'function') return;
  const timeout = (pool.options as { connectionTimeoutMillis?: unknown } | undefined)
    ?.connectionTimeoutMillis;
  pool.Client = withConnectBackoff(
    pool.Client,
    connectBackoffWithin(typeof timeout === 'number' ? timeout : 0, options),
  );
}

/** Options of {@link createPgPool}: which URL and pool size, and the safety net's. */
export type PgPoolOptions = PgPoolConfigOptions & PoolSafetyNetOptions;

/**
 * Creates a node-postgres pool from a policy, with the safety net attached. Pass pg's `Pool` class, so
 * core itself needs no driver.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool = createPgPool(policy, pg.Pool);
 * const migrations = createPgPool(policy, pg.Pool, { target: 'direct' });
 * ```
 */
export function createPgPool<P extends PgPoolLike>(
  policy: Policy,
  Pool: new (config: PgPoolConfig) => P,
  options: PgPoolOptions = {},
): P {
  const pool = attachPoolSafetyNet(new Pool(toPgPoolConfig(policy, options)), policy, options);
  // Only the pooled URL goes through PgBouncer; the direct URL is a real session where everything works.
  if (!policy.namedPreparedStatements && (options.target ?? 'pooled') === 'pooled') {
    // Order matters: both wrap client.query on 'connect', the later one outermost. Names are stripped
    // first, so the guard sees what is really sent.
    guardPgPool(pool, policy);
    sendStatementsUnnamed(pool);
  }
  return pool;
}

/**
 * Makes every client of a pool send named queries (`{ name, text }`, as Drizzle's `.prepare()` and
 * hand-written code produce) as unnamed ones. Through a transaction pooler a named statement prepared on
 * one server connection is missing on the next (`prepared statement "..." does not exist`) or already
 * there (`... already exists`); unnamed, the same query is parsed each time and always works.
 * `createPgPool` applies it in transaction mode.
 *
 * @example
 * ```ts
 * sendStatementsUnnamed(pool);
 * await pool.query({ name: 'by-id', text: 'SELECT * FROM t WHERE id = $1', values: [1] }); // unnamed
 * ```
 */
export function sendStatementsUnnamed<P extends PgPoolLike>(pool: P): P {
  pool.on('connect', (client) => sendClientStatementsUnnamed(client));
  return pool;
}

/**
 * {@link sendStatementsUnnamed} for one node-postgres client, for clients a pool does not create (knex's
 * own pool, a single `pg.Client`).
 *
 * @example
 * ```ts
 * sendClientStatementsUnnamed(client);
 * ```
 */
export function sendClientStatementsUnnamed(client: PgClientLike): void {
  const query = client.query;
  if (typeof query !== 'function') return;
  // pg's Client#query(config, values, callback) reads config.name into a Query
  // (pg 8.23 lib/client.js and lib/query.js); a submittable (a Query or cursor) is left alone.
  client.query = function (this: unknown, config: unknown, ...rest: unknown[]) {
    if (typeof config === 'object' && config !== null && 'name' in config && !('submit' in config)) {
      const { name: _unused, ...unnamed } = config as { name?: unknown };
      return (query as (...args: unknown[]) => unknown).call(this, unnamed, ...rest);
    }
    return (query as (...args: unknown[]) => unknown).call(this, config, ...rest);
  } as PgClientLike['query'];
}

// pg-pool has no lifetime jitter, but reads options.maxLifetimeSeconds anew for each connection it
// opens (pg-pool 3.14 index.js _afterConnect:
// https://github.com/brianc/node-postgres/blob/master/packages/pg-pool/index.js). A getter there
// gives every connection its own lifetime, drawn from the policy's range (never above its maximum).
function installPerConnectionLifetime(pool: PgPoolLike, policy: Policy): void {
  const options = pool.options as { maxLifetimeSeconds?: unknown } | undefined;
  if (
    options === undefined ||
    typeof options.maxLifetimeSeconds !== 'number' ||
    options.maxLifetimeSeconds === 0
  ) {
    return;
  }
  Object.defineProperty(options, 'maxLifetimeSeconds', {
    configurable: true,
    enumerable: true,
    get: () => policy.nextLifetimeSeconds(),
  });
}

function defaultErrorReporter(policy: Policy): (error: Error, site: ConnectionErrorSite) => void {
  return (error, site) => {
    policy.logger.warn(
      `[mpgkit] ${site} connection lost (${policy.redact(error.message)}); the pool opens a new one on demand.`,
    );
  };
}
