import { ADAPTER_ENTRIES, builderOf, type Orm } from './adapter-entries.ts';

// The catalogue of connection and pooler errors: data, one entry per error users meet, each with where in
// the life of a query it happens (its phase), which decides whether a retry is safe. explain-error.ts
// matches errors against it.

export type { Orm } from './adapter-entries.ts';

/**
 * When the failure happened, relative to the work being sent; it decides whether repeating the work is
 * safe.
 * - `connect`: before anything was sent (connecting, logging in, waiting for a pool slot or a server
 *   connection). Safe to retry any work.
 * - `rolled-back`: the server rolled the whole transaction back (serialization failure, deadlock). Safe.
 * - `in-flight`: the statement had been sent and its result never came: it may have run. Retry only
 *   idempotent work.
 * - `commit`: the connection died after COMMIT was sent: the transaction may have committed. Check first.
 * - `config`: a configuration or code error: the same work fails the same way.
 */
export type FailurePhase = 'connect' | 'rolled-back' | 'in-flight' | 'commit' | 'config';

/** Whether repeating the failed work is safe. */
export type RetryAdvice =
  /** Nothing reached the server (or the server rolled the whole transaction back): retry. */
  | 'safe'
  /** The statement may have run (or committed) before the connection died: retry only idempotent work. */
  | 'if-idempotent'
  /** Retrying gives the same error: fix the configuration or the code. */
  | 'never';

/**
 * Set on an error (as a symbol-keyed property) by code that knows in which phase it happened, e.g.
 * `createPgPool` on a failure while opening a connection, where nothing of the query was sent yet.
 *
 * @example
 * ```ts
 * Object.defineProperty(error, FAILURE_PHASE, { value: 'connect' });
 * ```
 */
export const FAILURE_PHASE: unique symbol = Symbol.for('mpgkit.failurePhase');

/** The retry advice each phase gives. */
export const RETRY_BY_PHASE: Readonly<Record<FailurePhase, RetryAdvice>> = Object.freeze({
  connect: 'safe',
  'rolled-back': 'safe',
  'in-flight': 'if-idempotent',
  commit: 'if-idempotent',
  config: 'never',
});

/** One error of the catalogue. */
export interface KnownError {
  readonly id: string;
  readonly title: string;
  /** SQLSTATEs the server (or PgBouncer) sends with it. */
  readonly sqlstates?: readonly string[];
  /** Driver and system codes (`ECONNRESET`, postgres.js `CONNECTION_CLOSED`, Prisma `P1017`). */
  readonly codes?: readonly string[];
  /** A code that counts only with one of these syscalls, e.g. ETIMEDOUT only while connecting. */
  readonly syscalls?: Readonly<Record<string, readonly string[]>>;
  readonly message?: RegExp;
  readonly cause: string;
  readonly fix: string;
  readonly fixFor?: Partial<Record<Orm, string>>;
  readonly transient: boolean;
  readonly phase: FailurePhase;
}

/**
 * PgBouncer sends its own errors with the generic SQLSTATE 08P01 (protocol_violation), whatever they
 * mean: among them, only the message tells them apart (measured on PgBouncer 1.18: wrong password,
 * query_wait_timeout, max_client_conn, unsupported startup parameter).
 */
export const POOLER_SQLSTATE = '08P01';
const POOLER = POOLER_SQLSTATE;

const LIFETIME_FIX =
  'Recycle connections before the proxy drains them: max connection lifetime ≤ 600 s and idle timeout 300 s ' +
  '(defineDatabase does both), and attach error listeners so a cut connection is replaced, not fatal (createPgPool).';

let catalogue: readonly KnownError[] | undefined;

/**
 * Every error mpgkit explains, most specific first: the first match wins. An entry with a SQLSTATE other
 * than 08P01 matches only errors with that SQLSTATE (a SQLSTATE the server sent wins over message text).
 * Built on first use: an app that never meets an error never pays for it at start (bench/, startup).
 *
 * @example
 * ```ts
 * errorCatalogue().find((entry) => entry.id === 'admin-shutdown')?.phase; // 'in-flight'
 * ```
 */
export function errorCatalogue(): readonly KnownError[] {
  catalogue ??= buildCatalogue();
  return catalogue;
}

function buildCatalogue(): readonly KnownError[] {
  const { kysely, drizzle, prisma, typeorm, knex, sequelize } = ADAPTER_ENTRIES;
  const postgresJs = ADAPTER_ENTRIES['drizzle-postgres-js'];
  return Object.freeze<KnownError[]>([
    {
      id: 'prepared-statement-missing',
      title: 'prepared statement "…" does not exist',
      sqlstates: ['26000'],
      message: /prepared statement "?[^"]*"? does not exist/i,
      cause:
        'A named prepared statement was sent through PgBouncer in transaction mode: it was prepared on one server ' +
        'connection, and the next transaction got another.',
      fix: 'Disable named prepared statements in the client (mpgkit policies do this in transaction mode).',
      fixFor: {
        pg: 'Remove `name` from query configs, or build the pool with createPgPool (it sends names unnamed in transaction mode).',
        prisma: `Prisma 7: remove statementNameGenerator and use ${prisma.appClient}(policy, …). Prisma 6: use ${builderOf('prisma', 'prisma6Urls')} (pgbouncer=true in transaction mode).`,
        kysely: `Kysely never names statements: look for a raw pg client with \`name\` next to it, and build the app client with ${kysely.appClient}.`,
        drizzle: `node-postgres: ${drizzle.appClient} from ${drizzle.module} sends .prepare() unnamed. postgres.js: ${postgresJs.appClient} from ${postgresJs.module} sets prepare: false.`,
        typeorm: `TypeORM never names statements: look for raw driver queries with \`name\`; build the DataSource with ${typeorm.appClient}.`,
        knex: `knex names a statement only for \`.options({ name })\`: build the instance with ${knex.appClient} from ${knex.module}, which sends it unnamed in transaction mode.`,
        sequelize: `Sequelize never names statements: look for a raw pg client with \`name\` next to it, and build the instance with ${sequelize.appClient} from ${sequelize.module}.`,
      },
      transient: false,
      phase: 'config',
    },
    {
      id: 'prepared-statement-exists',
      title: 'prepared statement "…" already exists',
      sqlstates: ['42P05'],
      message: /prepared statement "?[^"]*"? already exists/i,
      cause:
        'A named prepared statement was sent through PgBouncer in transaction mode, onto a server connection where ' +
        'another client had already prepared that name.',
      fix: 'Disable named prepared statements in the client (mpgkit policies do this in transaction mode).',
      fixFor: {
        pg: 'Remove `name` from query configs, or build the pool with createPgPool.',
        prisma: `Prisma 7: remove statementNameGenerator. Prisma 6 (classic engine, "s0 already exists"): use ${builderOf('prisma', 'prisma6Urls')}, which adds pgbouncer=true.`,
        drizzle: `postgres.js: ${postgresJs.appClient} from ${postgresJs.module} (prepare: false); node-postgres: ${drizzle.appClient} from ${drizzle.module}.`,
      },
      transient: false,
      phase: 'config',
    },
    {
      id: 'session-feature-in-transaction-mode',
      title: 'session-only SQL refused by the transaction-mode guard',
      codes: ['SESSION_FEATURE_IN_TRANSACTION_MODE'],
      cause: 'mpgkit stopped SQL that cannot work through a transaction pooler before it was sent.',
      fix: 'Follow the fix in the error message: SET LOCAL, pg_advisory_xact_lock, ON COMMIT DROP, or the direct URL.',
      transient: false,
      phase: 'config',
    },
    {
      id: 'server-login-retry',
      title: 'server login has been failing (server_login_retry)',
      sqlstates: [POOLER],
      message: /server login has been failing|server_login_retry/i,
      cause:
        "PgBouncer could not log in to Postgres (a restart, a plan change, or the pooler's own credentials), and for " +
        'server_login_retry (15 s by default) it refuses clients with the cached error instead of trying again. ' +
        'Nothing was sent to Postgres.',
      fix:
        'Retry with backoff: it passes once Postgres accepts PgBouncer again. If it persists, the error after ' +
        '"cached error:" says why the pooler cannot log in; check that the database is up (`mpgkit doctor`).',
      transient: true,
      phase: 'connect',
    },
    {
      id: 'password-authentication-failed',
      title: 'password authentication failed / SASL authentication failed',
      // Directly, Postgres says 28P01; through PgBouncer (auth_type scram-sha-256) the same mistake arrives as
      // 08P01 "SASL authentication failed" (measured on PgBouncer 1.18).
      sqlstates: ['28P01', POOLER],
      message: /password authentication failed|SASL authentication failed|auth failed/i,
      cause:
        'The user name or password in the connection string is wrong: a password that was rotated, copied with a ' +
        'character missing, or a special character that was not percent-encoded. Retrying never helps.',
      fix:
        "Copy the connection string again from the cluster's Connect tab (or `fly mpg attach`), or reset the user's " +
        'password; percent-encode @ : / ? # % in the password (encodeURIComponent). `mpgkit doctor` checks both URLs.',
      transient: false,
      phase: 'config',
    },
    // TLS: Node's tls module reports certificate problems with OpenSSL's names as `error.code`
    // (https://nodejs.org/api/tls.html#x509-certificate-error-codes); pg, postgres.js and TypeORM pass them on.
    {
      id: 'tls-certificate-untrusted',
      title: 'self-signed certificate in certificate chain / unable to verify the first certificate',
      codes: [
        'SELF_SIGNED_CERT_IN_CHAIN',
        'DEPTH_ZERO_SELF_SIGNED_CERT',
        'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
        'UNABLE_TO_GET_ISSUER_CERT',
        'CERT_UNTRUSTED',
        'CERT_SIGNATURE_FAILURE',
      ],
      message:
        /self[- ]signed certificate|unable to verify the first certificate|unable to get (?:local )?issuer certificate/i,
      cause:
        "The server's TLS certificate does not chain to a CA this process trusts (tls 'verify-ca' or 'verify-full'): " +
        'a private CA that was not given, the wrong CA file, or something else answering on that address.',
      fix:
        "Give the server's CA: tls: { mode: 'verify-full', ca: '/path/ca.pem' } in defineDatabase, or " +
        '?sslrootcert=/path/ca.pem in the URL. `mpgkit doctor` shows which CA the server presents. Only on a private ' +
        "network, tls: 'require' encrypts without checking (mpgkit warns at startup).",
      transient: false,
      phase: 'config',
    },
    {
      id: 'tls-host-mismatch',
      title: "Hostname/IP does not match certificate's altnames",
      codes: ['ERR_TLS_CERT_ALTNAME_INVALID'],
      message: /does not match certificate's altnames/i,
      cause:
        "The server's certificate is valid but names another host than the URL's (tls 'verify-full'): an IP address " +
        'or alias in the URL instead of the name the certificate was issued for, or another server answering.',
      fix:
        'Connect with the host name the certificate names (on MPG: the host from the Connect tab, not an IP address). ' +
        "If only the name differs on a network you trust, tls: 'verify-ca' checks the CA without the name.",
      transient: false,
      phase: 'config',
    },
    {
      id: 'tls-certificate-expired',
      title: 'certificate has expired / is not yet valid',
      codes: ['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'],
      message: /certificate has expired|certificate is not yet valid/i,
      cause:
        "The server's TLS certificate is outside its validity period (or this machine's clock is wrong).",
      fix: "Check the machine's clock; renew the server's certificate. `mpgkit doctor` prints its validity dates.",
      transient: false,
      phase: 'config',
    },
    {
      id: 'tls-not-offered',
      title: 'The server does not support SSL connections',
      // pg 8.23 lib/connection.js (the server answered the SSLRequest with 'N'); Prisma: "does not support TLS".
      message: /does not support (?:SSL|TLS)/i,
      cause:
        'The policy asks for TLS, but the server (or whatever listens at that address) declined it. MPG always offers ' +
        'TLS, so on MPG this is the wrong host or port; a self-hosted Postgres may have ssl = off.',
      fix:
        "Check the host and port (`mpgkit doctor`). For a server without TLS on a network you trust, set tls: 'disable' " +
        '(or ?sslmode=disable); mpgkit warns at startup for a remote host.',
      transient: false,
      phase: 'config',
    },
    {
      id: 'tls-required-by-server',
      title: 'no pg_hba.conf entry … no encryption / SSL required',
      // Postgres with only `hostssl` lines in pg_hba.conf refuses plaintext with 28000 "... no encryption";
      // PgBouncer with client_tls_sslmode = require answers 08P01 "SSL required" (measured on the stack).
      sqlstates: ['28000', POOLER],
      message: /no pg_hba\.conf entry for .*(?:no encryption|SSL off)|SSL required/i,
      cause: "The server refuses plaintext connections, and this connection was plaintext (tls 'disable').",
      fix: "Remove tls: 'disable' / sslmode=disable: mpgkit's default for a remote host is 'verify-full'.",
      transient: false,
      phase: 'config',
    },
    {
      id: 'protocol-violation',
      title: 'protocol_violation on login',
      sqlstates: [POOLER],
      message: /protocol[_ ]violation/i,
      cause:
        'The client used the protocol in a way the pooler does not support, usually named prepared statements in transaction mode.',
      fix: 'Disable named prepared statements in the client, as for "prepared statement … does not exist".',
      transient: false,
      phase: 'config',
    },
    {
      id: 'unsupported-startup-parameter',
      title: 'unsupported startup parameter',
      sqlstates: [POOLER],
      message: /unsupported startup parameter/i,
      cause:
        'The client sent a connection parameter PgBouncer does not accept (only application_name, client_encoding, ' +
        'DateStyle, IntervalStyle, TimeZone and standard_conforming_strings pass).',
      fix: 'Remove statement_timeout / options / search_path from the connection settings; use SET LOCAL in a transaction or ALTER ROLE ... SET.',
      fixFor: {
        drizzle: `postgres.js sends unknown URL parameters (e.g. ?pgbouncer=true) as startup parameters: use ${postgresJs.appClient} (or ${builderOf('drizzle-postgres-js', 'postgresJsUrl')}), which strips them.`,
        pg: 'Remove statement_timeout, lock_timeout and options from the pg config and the URL.',
      },
      transient: false,
      phase: 'config',
    },
    {
      id: 'pooler-cannot-connect',
      title: 'pgbouncer cannot connect to server',
      sqlstates: [POOLER],
      message: /pgbouncer cannot connect to server|server DNS lookup failed/i,
      cause:
        'PgBouncer could not open a connection to Postgres (it is down or restarting). Nothing was sent.',
      fix: 'Retry with backoff; if it persists, the database is down: check its status and `mpgkit doctor`.',
      transient: true,
      phase: 'connect',
    },
    {
      id: 'server-connection-crashed',
      title: 'server conn crashed? / server connection closed',
      sqlstates: [POOLER],
      // Both are PgBouncer 1.18's words for the same event; over TLS to Postgres, a fast shutdown arrives as
      // "server connection closed" (measured on the stack, server_tls_sslmode = require, in a CI rehearsal).
      message: /server conn crashed|server connection closed/i,
      cause:
        "PgBouncer's connection to Postgres died while it served this client (a restart or a killed backend). " +
        'A query in flight may have run.',
      fix: `${LIFETIME_FIX} Retry idempotent work with backoff; check before repeating a write.`,
      transient: true,
      phase: 'in-flight',
    },
    {
      id: 'query-wait-timeout',
      title: 'query_wait_timeout',
      sqlstates: [POOLER],
      message: /query_wait_timeout/i,
      cause:
        'The query waited in PgBouncer for a server connection longer than query_wait_timeout and was never sent to ' +
        'Postgres. In session mode, clients beyond max database connections never get one.',
      fix: 'In session mode the fleet must fit max database connections (`mpgkit budget`); or switch to transaction mode.',
      transient: true,
      phase: 'connect',
    },
    {
      id: 'pooler-query-timeout',
      title: 'query_timeout (PgBouncer)',
      sqlstates: [POOLER],
      message: /\bquery_timeout\b|query timeout/i,
      cause:
        "The query ran longer than PgBouncer's query_timeout and PgBouncer closed the connection; it may have run " +
        'in part or in full.',
      fix: 'Make the query faster or raise query_timeout; retry only idempotent work.',
      transient: true,
      phase: 'in-flight',
    },
    {
      id: 'pooler-client-idle-timeout',
      title: 'client_idle_timeout / idle transaction timeout (PgBouncer)',
      sqlstates: [POOLER],
      message: /client_idle_timeout|idle transaction timeout|client_login_timeout/i,
      cause:
        'PgBouncer closed a client connection that sat idle (or idle in a transaction, or logging in) too long. ' +
        'An idle transaction is rolled back.',
      fix: `Keep the pool's idle timeout below PgBouncer's (defineDatabase sets 300 s) and never hold a transaction open while idle; the pool reconnects on demand.`,
      transient: true,
      phase: 'connect',
    },
    {
      id: 'reserved-connection-slots',
      title: 'remaining connection slots are reserved…',
      // Before too-many-connections-for-role, so a bare 53300 without either message lands here.
      sqlstates: ['53300'],
      message: /remaining connection slots are reserved/i,
      cause: "Postgres's max_connections is exhausted; the last slots are reserved for superusers.",
      fix: 'Count direct connections too (release command, listeners, admin tools): `mpgkit budget --direct N`. Reduce pool sizes or use the pooled URL.',
      transient: true,
      phase: 'connect',
    },
    {
      id: 'too-many-connections-for-role',
      title: 'too many connections for role',
      sqlstates: ['53300'],
      message: /too many connections for role/i,
      cause:
        'The fleet opens more connections than the role or plan allows: processes × pool size is over the limit.',
      fix:
        'Check the budget (`mpgkit budget`): reduce pool sizes, switch to transaction mode, or look for connection leaks ' +
        '(connections checked out and never released). Nothing was sent: retrying with backoff is safe.',
      transient: true,
      phase: 'connect',
    },
    {
      id: 'max-client-conn',
      title: 'no more connections allowed (max_client_conn)',
      sqlstates: [POOLER],
      message: /no more connections allowed \(max_client_conn\)/i,
      cause:
        "PgBouncer's client limit is full: the fleet's pools together open more client connections than the plan allows.",
      fix: 'Σ machines × processes × pool size must fit max client connections, also during a deploy: run `mpgkit budget`.',
      transient: true,
      phase: 'connect',
    },
    {
      id: 'pool-exhausted',
      title: 'timeout exceeded when trying to connect',
      codes: ['P2024'],
      message:
        /timeout exceeded when trying to connect|timed out fetching a new connection from the connection pool/i,
      cause:
        'No pool slot was free within the connect timeout: every connection was checked out, and nothing was sent.',
      fix: 'Look for connections that are never released, long transactions, or a pool size too small for the load.',
      transient: true,
      phase: 'connect',
    },
    {
      // Produced for real in packages/prisma/test/transaction-timeout.integration.test.ts (Prisma 7.10).
      id: 'prisma-transaction-closed',
      title: 'Transaction API error (Prisma P2028)',
      codes: ['P2028'],
      message:
        /Transaction API error|Transaction already closed|Unable to start a transaction in the given time/i,
      cause:
        "Prisma's interactive transaction ran past its `timeout` (5 s by default) and was rolled back, or waited " +
        'longer than `maxWait` (2 s) for a connection, or the transaction object was used after it ended.',
      fix:
        'Keep interactive transactions short (no network calls inside); raise `timeout` / `maxWait` in the ' +
        '$transaction options if the work is really that long; a pool too small for the load makes maxWait run out.',
      transient: true,
      // Usually rolled back, but a tx used after its commit also says P2028: retry only idempotent work.
      phase: 'in-flight',
    },
    {
      id: 'idle-connection-closed',
      title: 'tcp recv (idle): closed | timeout',
      message: /tcp recv \(idle\): (closed|timeout)/i,
      cause: 'The proxy or PgBouncer closed an idle connection: a proxy restart (drain) or an idle timeout.',
      fix: LIFETIME_FIX,
      transient: true,
      phase: 'connect',
    },
    {
      id: 'connection-timeout',
      title: 'connection hangs on startup',
      // ETIMEDOUT only while connecting: on an open connection (syscall read/write) the query may have run.
      codes: ['ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'CONNECT_TIMEOUT'],
      syscalls: { ETIMEDOUT: ['connect'] },
      message:
        /connection terminated due to connection timeout|timeout expired|getaddrinfo|connect ETIMEDOUT|CONNECT_TIMEOUT/i,
      cause:
        'The connection could not be opened in time. On Fly this is usually DNS: the app cannot resolve the .flympg.net ' +
        'address over the private IPv6 network.',
      fix: "Make sure the app resolves AAAA records on Fly's private network (IPv6 enabled); `mpgkit doctor` checks DNS and connects with the 5 s timeout.",
      transient: true,
      phase: 'connect',
    },
    {
      id: 'connection-refused',
      title: 'connection refused',
      codes: ['ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'P1001'],
      message: /ECONNREFUSED|ENETUNREACH|EHOSTUNREACH|can't reach database server/i,
      cause:
        'Nothing accepted the connection (or no route led to the host): the database or pooler is restarting, the ' +
        'network is down, or the host/port is wrong. Nothing was sent.',
      fix: 'Retry with backoff during restarts; otherwise check the URL (`mpgkit doctor`).',
      transient: true,
      phase: 'connect',
    },
    {
      id: 'cannot-connect-now',
      title: 'the database system is starting up / shutting down',
      sqlstates: ['57P03'],
      message:
        /the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)/i,
      cause:
        'Postgres refused the login because it is starting or stopping (a plan change restarts the database). Nothing was sent.',
      fix: 'Retry with backoff: nothing was sent, so any work may be repeated; it passes when the restart completes.',
      transient: true,
      phase: 'connect',
    },
    {
      id: 'admin-shutdown',
      title: 'terminating connection due to administrator command',
      sqlstates: ['57P01', '57P02'],
      message: /terminating connection due to administrator command/i,
      cause: 'The server ended the connection: a restart (plan change, failover) or a terminated backend.',
      fix: `${LIFETIME_FIX} Retry idempotent work with backoff.`,
      transient: true,
      phase: 'in-flight',
    },
    {
      id: 'socket-timeout',
      title: 'read ETIMEDOUT / Query read timeout',
      codes: ['ETIMEDOUT'],
      message: /(read|write) ETIMEDOUT|Query read timeout/i,
      cause:
        'The connection was open and the statement had been sent when the client stopped waiting for its result ' +
        "(a TCP timeout, or the client's query_timeout). The server may have run it, and committed it.",
      fix: 'Check whether the work took effect before repeating it; retry only idempotent work. A long query needs a longer timeout or a faster plan.',
      transient: true,
      phase: 'in-flight',
    },
    {
      id: 'connection-reset',
      title: 'ECONNRESET / connection reset by peer',
      codes: ['ECONNRESET', 'EPIPE'],
      message: /connection reset by peer|ECONNRESET/i,
      cause:
        'A long-lived connection was cut, typically by a proxy restart after its 10-minute drain. A query in flight may ' +
        'have run.',
      fix: `${LIFETIME_FIX} Retry idempotent work with backoff.`,
      transient: true,
      phase: 'in-flight',
    },
    {
      id: 'client-not-queryable',
      title: 'Client has encountered a connection error and is not queryable',
      message: /is not queryable|CONNECTION_ENDED/i,
      cause:
        'The query was sent to a pg client whose connection had already died (its error was reported on the ' +
        "client's 'error' event); pg refused to send it.",
      fix: 'Use a pool, which replaces dead connections (createPgPool), rather than one long-lived client; for LISTEN use createListener.',
      transient: true,
      phase: 'connect',
    },
    {
      id: 'connection-terminated',
      title: 'Connection terminated unexpectedly',
      sqlstates: ['08006', '08003', '08000'],
      codes: ['P1017', 'CONNECTION_CLOSED', 'CONNECTION_DESTROYED'],
      message:
        /connection terminated unexpectedly|server closed the connection unexpectedly|server has closed the connection|connection terminated|connection ended|CONNECTION_CLOSED|CONNECTION_DESTROYED/i,
      cause:
        'The connection closed under the client: a proxy drain past its deadline, a pooler restart, or a killed ' +
        'backend. A query in flight may have run.',
      fix: `${LIFETIME_FIX} Retry idempotent work with backoff.`,
      transient: true,
      phase: 'in-flight',
    },
    {
      id: 'typeorm-query-runner-released',
      title: 'Query runner already released (TypeORM)',
      // TypeORM QueryRunnerAlreadyReleasedError / QueryRunnerProviderAlreadyReleasedError: measured on the
      // stack when Postgres restarts under a transaction (typeorm 1.1.1, session mode).
      message: /query runner already released|query runner was already released/i,
      cause:
        "The transaction's connection failed (a restart, a cut connection), TypeORM released it, and its " +
        'ROLLBACK then ran on the released runner: this error hides the connection loss. The transaction did ' +
        'not commit unless COMMIT was in flight.',
      fix: `${LIFETIME_FIX} Retry idempotent work with backoff.`,
      transient: true,
      phase: 'in-flight',
    },
    {
      id: 'serialization-failure',
      title: 'could not serialize access / deadlock detected',
      sqlstates: ['40001', '40P01'],
      cause: 'The server rolled the transaction back to keep it consistent with a concurrent one.',
      fix: 'Retry the whole transaction (retry() does, with backoff).',
      transient: true,
      phase: 'rolled-back',
    },
    {
      id: 'commit-outcome-unknown',
      title: 'the connection died while COMMIT was in flight',
      // Never matched directly: explainError returns it when a connection loss hit a COMMIT.
      cause:
        'The connection was lost after COMMIT was sent and before its answer arrived: the transaction may have ' +
        'committed or not. The error does not tell which.',
      fix: 'Check before you repeat it: look the write up (by an idempotency key or its natural key) before running the transaction again. retry() repeats it only when you mark the work idempotent.',
      transient: true,
      phase: 'commit',
    },
  ]);
}
