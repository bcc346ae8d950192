import { connectSeeingErrors, type PgClientLike, type PgConnectingClientLike } from '../driver/pg-driver.ts';
import { markConnectPhase } from '../explain/known-error.ts';
import { guardPgClient } from '../guard/transaction-mode-guard.ts';
import type { Policy } from '../policy/policy.ts';
import { type ConnectBackoffOptions, connectBackoffWithin, withConnectBackoff } from './connect-backoff.ts';
import { rememberConnectionLoss } from './connection-loss.ts';
import type { Endpoint } from './endpoint.ts';
import { sendClientStatementsUnnamed } from './unnamed-statements.ts';

// Every protection mpgkit puts on a node-postgres connection lives in this one class, so each pg-based
// adapter (createPgPool, Kysely, Drizzle, TypeORM, Prisma 7, knex, Sequelize) gets the same ones, and a new
// protection is added here once. Pool-level protections (error listeners, lifetimes, metrics) stay with
// each pool, since every ORM's pool is different.

/** Options of {@link hardenedPgClient}. */
export interface HardenedPgClientOptions {
  /**
   * The connect backoff shared by the class's connections (one class per pool); `false` for none.
   * @default { baseDelayMs: 50, maxDelayMs: 1000 }, capped below half the connect timeout
   */
  connectBackoff?: ConnectBackoffOptions | false;
}

type PgClientClass = new (...args: never[]) => PgConnectingClientLike;

const hardenedClasses = new WeakSet<object>();

/**
 * A subclass of node-postgres's `Client` with every protection mpgkit gives a connection:
 * - a failure while connecting is marked as the `connect` phase (nothing of the work was sent), so
 *   `classifyError` and `retry` read it the same through every adapter;
 * - after its connection dies, every later failure (a catch block's ROLLBACK) carries the first one's phase
 *   and the first failure as `cause` ({@link rememberConnectionLoss}): a COMMIT whose answer was lost is
 *   never retried as if nothing had been sent;
 * - the connect backoff, shared by every connection of the class (make one class per pool);
 * - through a transaction-mode PgBouncer (`endpoint.transactionPooled`): the transaction-mode guard, and
 *   named statements sent unnamed.
 *
 * Pass it where the driver or ORM takes a client class: pg-pool's `Client` option (TypeORM's `extra`,
 * Prisma's adapter-pg), a pg module's `Client` ({@link hardenedPgModule}, for knex and Sequelize).
 *
 * @example
 * ```ts
 * const endpoint = resolveEndpoint(policy);
 * new pg.Pool({ connectionString: endpoint.url, Client: hardenedPgClient(policy, pg.Client, endpoint) });
 * ```
 */
export function hardenedPgClient<C extends PgClientClass>(
  policy: Policy,
  Client: C,
  endpoint: Pick<Endpoint, 'transactionPooled' | 'connectTimeoutMs'>,
  options: HardenedPgClientOptions = {},
): C {
  const Base = Client as unknown as new (...args: unknown[]) => PgConnectingClientLike;
  const guarded = endpoint.transactionPooled;
  class MpgkitPgClient extends Base {
    constructor(...args: unknown[]) {
      super(...args);
      // Innermost wrapper of client.query: it sees what pg itself answered.
      rememberConnectionLoss(this as unknown as PgClientLike);
      if (guarded) {
        // Order matters: each wraps client.query, the later one outermost. Names are stripped first, so the
        // guard sees what is really sent.
        guardPgClient(this as unknown as PgClientLike, policy);
        sendClientStatementsUnnamed(this as unknown as PgClientLike);
      }
    }

    // pg-pool opens each connection with `new this.Client(options)` and `client.connect(callback)`, and hands a
    // failure to the waiting query as is (pg-pool 3.14 index.js newClient); knex and Sequelize call
    // `connect()` on their own clients the same way. "Connection terminated unexpectedly" then reads like a
    // query cut in flight; marked here, the classifier knows nothing was sent, so retry() may repeat a write.
    override connect(callback?: (error?: Error | null) => void): unknown {
      return connectSeeingErrors((done) => super.connect(done), callback, markConnectPhase);
    }
  }
  const hardened = withConnectBackoff(
    MpgkitPgClient as unknown as C,
    connectBackoffWithin(endpoint.connectTimeoutMs, options.connectBackoff ?? {}),
  );
  hardenedClasses.add(hardened);
  return hardened;
}

/**
 * A node-postgres module whose `Client` is {@link hardenedPgClient}, everything else inherited (types,
 * defaults, Pool), for libraries that take the pg module and call `new pg.Client(…)` themselves (knex's
 * `_driver()`, Sequelize's `dialectModule`).
 *
 * @example
 * ```ts
 * new Sequelize({ dialectModule: hardenedPgModule(policy, pg, resolveEndpoint(policy)), ... });
 * ```
 */
export function hardenedPgModule<M extends { Client: PgClientClass }>(
  policy: Policy,
  pg: M,
  endpoint: Pick<Endpoint, 'transactionPooled' | 'connectTimeoutMs'>,
  options: HardenedPgClientOptions = {},
): M {
  return Object.create(pg, {
    Client: { value: hardenedPgClient(policy, pg.Client, endpoint, options), enumerable: true },
  }) as M;
}

/**
 * Whether a class came from {@link hardenedPgClient}.
 *
 * @example
 * ```ts
 * isHardenedPgClient(pool.Client); // true for a pool createPgPool built
 * ```
 */
export function isHardenedPgClient(Client: unknown): boolean {
  return typeof Client === 'function' && hardenedClasses.has(Client);
}
