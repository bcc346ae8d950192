import type { PgClientLike, PgPoolLike } from '../driver/pg-driver.ts';

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
