import type { PgPoolConfig, PgPoolLike } from '../driver/pg-driver.ts';
import { instrumentPgPool, type MeasuredPgPool } from '../metrics/pg-pool-metrics.ts';
import type { Policy } from '../policy/policy.ts';
import { redactWhenPrinted } from '../redact.ts';
import { type KnownKeys, rejectUnknownKeys } from '../unknown-keys.ts';
import type { ConnectBackoffOptions } from './connect-backoff.ts';
import { resolveEndpoint } from './endpoint.ts';
import { hardenedPgClient, isHardenedPgClient } from './pg-hardened-client.ts';
import { type PgPoolConfigOptions, toPgPoolConfig } from './pg-pool-options.ts';

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
   * reset by the first connection that works; the hardened client of `pg-hardened-client.ts`), so a fleet whose database
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
  // pg-pool copies the config it is given (pg-pool 3.14 constructor: `this.options = Object.assign({}, options)`),
  // so the copy loses toPgPoolConfig's redaction hooks: put them on the copy, which prints as the pool does.
  if (typeof pool.options === 'object' && pool.options !== null)
    redactWhenPrinted(pool.options, policy.redact);
  if (options.perConnectionJitter ?? true) installPerConnectionLifetime(pool, policy);
  // A pool someone else built (not createPgPool) still gets the connect-side protections; the guard and
  // unnamed statements only where createPgPool knows the route.
  if (typeof pool.Client === 'function' && !isHardenedPgClient(pool.Client)) {
    pool.Client = hardenedPgClient(policy, pool.Client, connectOnly(pool), options);
  }
  if (policy.meter !== undefined && 'totalCount' in pool) {
    instrumentPgPool(pool as unknown as MeasuredPgPool, policy.meter, {
      minLifetimeMs: policy.lifetime.minSeconds * 1000,
      perQuery: policy.perQueryMetrics,
    });
  }
  return pool;
}

/** Options of {@link createPgPool}: which URL and pool size, and the safety net's. */
export type PgPoolOptions = PgPoolConfigOptions & PoolSafetyNetOptions;

const PG_POOL_OPTION_KEYS = {
  target: true,
  max: true,
  role: true,
  onError: true,
  perConnectionJitter: true,
  connectBackoff: true,
} as const satisfies KnownKeys<PgPoolOptions>;

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
  rejectUnknownKeys('createPgPool', options, PG_POOL_OPTION_KEYS);
  const endpoint = resolveEndpoint(policy, options.target, {
    ...(options.role === undefined ? {} : { role: options.role }),
  });
  const pool = new Pool(toPgPoolConfig(policy, options));
  // pg-pool instantiates `pool.Client` for each connection (pg-pool 3.14 index.js newClient): one hardened
  // class per pool, so its connections share one backoff.
  if (typeof pool.Client === 'function') {
    pool.Client = hardenedPgClient(policy, pool.Client, endpoint, options);
  }
  return attachPoolSafetyNet(pool, policy, options);
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

// The endpoint of a pool whose route mpgkit does not know: connect-side protections only.
function connectOnly(pool: PgPoolLike): { transactionPooled: false; connectTimeoutMs: number } {
  const timeout = (pool.options as { connectionTimeoutMillis?: unknown } | undefined)
    ?.connectionTimeoutMillis;
  return { transactionPooled: false, connectTimeoutMs: typeof timeout === 'number' ? timeout : 0 };
}
