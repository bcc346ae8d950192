import type { PgClientLike } from '../driver/pg-driver.ts';
import { type MarkedPhase, markFailurePhase } from '../explain/known-error.ts';

// Once a node-postgres connection dies, every later query on the client fails at once with "Client has
// encountered a connection error and is not queryable", a new Error that says nothing of what died (pg 8.23
// lib/client.js: _handleErrorEvent sets `_queryable = false`, then query() answers every call with that
// error). Apps and ORMs run ROLLBACK in their catch block (node-postgres's documented transaction pattern,
// Kysely's Transaction#execute, Drizzle's NodePgSession#transaction) and its error replaces the first one: a
// COMMIT whose answer was lost then read as a refusal before anything was sent, and retry() wrote twice.

const COMMIT = /^\s*(?:commit|end)\b/i;

/**
 * Ties every failure of a node-postgres client after its connection died to the failure that killed it:
 * that first failure is marked `commit` when COMMIT was in flight (`in-flight` otherwise), and each later
 * failure on the client gets the same mark and the first failure as its `cause`, so `classifyError` and
 * `retry` decide from the first failure of the unit of work, whatever the catch block threw last. The
 * hardened pg client applies it to every connection.
 *
 * @example
 * ```ts
 * rememberConnectionLoss(client);
 * // COMMIT's connection is cut; the catch block's ROLLBACK throws "not queryable":
 * classifyError(rollbackError).id; // 'commit-outcome-unknown'
 * ```
 */
export function rememberConnectionLoss(client: PgClientLike): void {
  const query = client.query as ((...args: unknown[]) => unknown) | undefined;
  if (typeof query !== 'function') return;
  let loss: { error: unknown; phase: MarkedPhase } | undefined;
  const seen = (error: unknown, text: string | undefined) => {
    if (error === loss?.error) return;
    if (loss !== undefined) {
      markFailurePhase(error, loss.phase);
      if (typeof error === 'object' && error !== null && !('cause' in error) && Object.isExtensible(error)) {
        Object.defineProperty(error, 'cause', { value: loss.error, configurable: true, writable: true });
      }
      return;
    }
    // pg sets `_queryable = false` before it fails the queries in flight (_handleErrorEvent), so an error
    // that ended the connection finds it false; a server error (a constraint, a syntax error) leaves it true.
    if ((client as { _queryable?: unknown })._queryable !== false) return;
    loss = { error, phase: text !== undefined && COMMIT.test(text) ? 'commit' : 'in-flight' };
    markFailurePhase(error, loss.phase);
  };
  client.query = function (this: unknown, ...args: unknown[]) {
    const [config] = args;
    // A submittable (a Query, pg-cursor) reports errors through its own callbacks: left alone.
    if (typeof config === 'object' && config !== null && 'submit' in config) return query.apply(this, args);
    const text =
      typeof config === 'string'
        ? config
        : typeof (config as { text?: unknown } | null)?.text === 'string'
          ? (config as { text: string }).text
          : undefined;
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: unknown, ...rest: unknown[]) => {
        if (error) seen(error, text);
        return (callback as (...values: unknown[]) => unknown)(error, ...rest);
      };
      return query.apply(this, args);
    }
    const result = query.apply(this, args);
    if (result === undefined || typeof (result as Promise<unknown>).then !== 'function') return result;
    return (result as Promise<unknown>).catch((error: unknown) => {
      seen(error, text);
      throw error;
    });
  } as PgClientLike['query'];
}
