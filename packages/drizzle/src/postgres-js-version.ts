import { MpgkitError, MpgkitErrorCode, type Policy } from '@mpgkit/core';

// postgres.js 4 describes an unnamed statement whose parameters it cannot type itself (a string, a number
// not seen before) before binding it: Parse, Describe and Flush, then Bind and Execute once the description
// arrives (postgres 4.2.0 src/connection.js: `if (!typed && !loose(x, built)) { p.flush(out); x.describing =
// true; return }`; src/types.js infer() types only Date, Uint8Array, booleans, bigints and Temporal values, so
// every string parameter takes this path). 3.4.9 sends Parse, Bind, Describe, Execute and Sync at once.
// Measured on the stack, through PgBouncer 1.18 in transaction mode over TLS, with queries pipelined on a
// connection (sent while another is in flight, as any concurrent app does): the first is answered, the rest
// never are (8 sent at once on one connection: 1 answered in 3 s; 8 workers × 5 queries: 1 of 40 on one
// connection, 4 of 40 on four). Without TLS, in session mode, or to PostgreSQL directly: all. Sent one at a
// time, all are answered too. PgBouncer 1.24 answers them all (measured the same way): MPG does not publish
// its version, so the refusal stays. It looks like PgBouncer's TLS lost wake-up (pgbouncer/pgbouncer#1530: decrypted
// bytes left in OpenSSL's buffer while PgBouncer waits on the socket; fixed by #1531, July 2026), which
// postgres.js 3's single Parse-to-Sync write never meets. test/postgres-js-4.integration.test.ts holds it.

/**
 * Refuses a postgres.js 4 client that would stall: one that reaches a transaction-mode pooler over TLS.
 * postgres.js 4 is told apart by its `sql.stats` (4.2.0 src/index.js; 3.4.9 has none).
 *
 * @throws {MpgkitError} `UNSUPPORTED_DRIVER` naming the versions that work.
 * @example
 * ```ts
 * refuseStallingPostgresJs(sql, policy, { transactionPooled: true, tls: true });
 * ```
 */
export function refuseStallingPostgresJs(
  sql: object,
  policy: Policy,
  reach: { transactionPooled: boolean; tls: boolean },
): void {
  if (!isPostgresJs4(sql) || !reach.transactionPooled || !reach.tls) return;
  throw new MpgkitError(
    MpgkitErrorCode.UnsupportedDriver,
    `postgres.js 4 stalls through a transaction-mode PgBouncer over TLS (${policy.applicationName}'s pooled URL): ` +
      'queries pipelined on a connection are never answered (measured on PgBouncer 1.18, not on 1.24; MPG does not ' +
      'publish its version; postgres.js 4 describes each statement with a Flush first). Install postgres.js 3 ' +
      '(npm install postgres@^3.4.9), or use the ' +
      'node-postgres entry (@mpgkit/drizzle/node-postgres). Session mode and the direct URL are not affected.',
    { details: { driver: 'postgres', major: 4 } },
  );
}

/** postgres.js 4's client has `stats` (its pool's counts); 3's has none. */
export function isPostgresJs4(sql: object): boolean {
  return 'stats' in sql;
}
