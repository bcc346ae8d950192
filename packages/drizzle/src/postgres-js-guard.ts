import { readFileSync } from 'node:fs';
import type { Policy } from '@mpgkit/core';
import { findSessionFeature, guardStatement, markFailurePhase } from '@mpgkit/core/adapter';
import type postgres from 'postgres';
import { refuseStallingPostgresJs } from './postgres-js-version.ts';

// postgres.js has no hook before a statement is written that can refuse it cleanly: its `debug` option is
// called from build() inside execute(), and a throw there fails the connection's *active* query when
// another is pipelined behind it (postgres 3.4.9 src/connection.js execute(): `errored(error)` rejects
// `query`, not the one being built). So the guard wraps the client itself, every way SQL enters it:
// the tagged template, `unsafe` (Drizzle's session sends everything through it: drizzle-orm
// postgres-js/session.js), `file`, and the scoped clients `begin`, `savepoint` and `reserve` hand out.

/** Options of {@link guardPostgresJs}. */
export interface PostgresJsGuardOptions {
  /**
   * The client reaches a transaction-mode PgBouncer: refuse (or warn about, per the policy's
   * `transactionModeGuard`) session-only SQL. @default true
   */
  transactionPooled?: boolean;
}

/**
 * A postgres.js client that refuses session-only SQL (LISTEN, session SET, session advisory locks, PREPARE,
 * temporary tables, WITH HOLD cursors, LOAD) through a transaction-mode PgBouncer, as the pg entries do,
 * with a typed `SESSION_FEATURE_IN_TRANSACTION_MODE` error thrown before anything is sent; and whose
 * transactions (`begin`) mark a failure after the callback finished, while COMMIT was in flight, as the
 * `commit` phase, since postgres.js replaces COMMIT's own error with a bare `CONNECTION_CLOSED`
 * (postgres 3.4.9 src/index.js begin(): `Promise.race([scope(...), connection.onclose = reject])`).
 * `createDrizzle` applies it; wrap a client you build from {@link postgresJsOptions} yourself.
 *
 * @throws {MpgkitError} `UNSUPPORTED_DRIVER` for a postgres.js 4 client through a transaction-mode pooler
 *   over TLS, which stalls (./postgres-js-version.ts).
 * @example
 * ```ts
 * const sql = guardPostgresJs(postgres(postgresJsUrl(policy), postgresJsOptions(policy)), policy);
 * await sql`LISTEN jobs`; // MpgkitError SESSION_FEATURE_IN_TRANSACTION_MODE, nothing sent
 * ```
 */
export function guardPostgresJs<S extends postgres.Sql>(
  sql: S,
  policy: Policy,
  options: PostgresJsGuardOptions = {},
): S {
  const transactionPooled = options.transactionPooled ?? true;
  refuseStallingPostgresJs(sql, policy, { transactionPooled, tls: policy.tls.pooled.mode !== 'disable' });
  const mode = transactionPooled ? policy.transactionModeGuard : 'off';
  const warned = new Set<string>();
  const check = (text: string) => {
    const refusal = guardStatement(policy, mode, findSessionFeature(text), text, warned);
    if (refusal !== undefined) throw refusal;
  };
  return guarded(sql, check);
}

function guarded<S extends object>(sql: S, check: (text: string) => void): S {
  const target = sql as unknown as Record<string | symbol, unknown> & ((...args: unknown[]) => unknown);
  return new Proxy(target, {
    apply(fn, thisArg, args: unknown[]) {
      const [strings] = args;
      if (Array.isArray(strings) && Array.isArray((strings as { raw?: unknown }).raw)) {
        check((strings as string[]).map((part, index) => (index === 0 ? part : `$${index}${part}`)).join(''));
      }
      return Reflect.apply(fn, thisArg, args);
    },
    get(object, property) {
      const value = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      switch (property) {
        case 'unsafe':
          return (text: unknown, ...rest: unknown[]) => {
            if (typeof text === 'string') check(text);
            return method(text, ...rest);
          };
        case 'file':
          return (path: unknown, ...rest: unknown[]) => {
            const text = readable(path);
            if (text !== undefined) check(text);
            return method(path, ...rest);
          };
        case 'begin':
          return (...args: unknown[]) => {
            const work = args.pop() as (scoped: unknown) => unknown;
            // Once the callback has settled, postgres.js's only remaining step is COMMIT.
            let committing = false;
            const scopedWork = async (scoped: object) => {
              const result = work(guarded(scoped, check));
              const value = await (Array.isArray(result) ? Promise.all(result) : result);
              committing = true;
              return value;
            };
            return (method(...args, scopedWork) as Promise<unknown>).catch((error: unknown) => {
              if (committing) markFailurePhase(error, 'commit');
              throw error;
            });
          };
        case 'savepoint':
          return (...args: unknown[]) => {
            const work = args.pop() as (scoped: unknown) => unknown;
            return method(...args, (scoped: object) => work(guarded(scoped, check)));
          };
        case 'reserve':
          return async (...args: unknown[]) => guarded((await method(...args)) as object, check);
        case 'listen':
          // listen() returns a promise: its refusal is a rejection, like the connection errors it can give.
          return async (channel: unknown, ...rest: unknown[]) => {
            check(`LISTEN ${String(channel)}`);
            return method(channel, ...rest);
          };
        default:
          return value;
      }
    },
  }) as unknown as S;
}

// postgres.js reads a file given as a path (src/index.js file(): fs.readFile). One it cannot read fails
// there with its own error; the guard does not guess at it.
function readable(path: unknown): string | undefined {
  if (typeof path !== 'string') return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
