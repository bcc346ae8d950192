import { type KnownError, POOLER_SQLSTATE } from './known-error.ts';

// The catalogue's second part: errors of a running app: the pooler and the server going away or refusing,
// pool and network timeouts, connections cut in flight, transactions whose outcome is unknown.

const POOLER = POOLER_SQLSTATE;

const LIFETIME_FIX =
  'Recycle connections before the proxy drains them: max connection lifetime ≤ 600 s and idle timeout 300 s ' +
  '(defineDatabase does both), and attach error listeners so a cut connection is replaced, not fatal (createPgPool).';

/** runtimeErrors's entries, in the catalogue's order (the first match wins). */
export function runtimeErrors(): KnownError[] {
  return [
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
        'The query was sent to a pg client whose connection had already died; pg refused to send it. What the ' +
        'client sent before it died may have run: a ROLLBACK in a catch block meets this after a COMMIT whose ' +
        'answer was lost (pg 8.23 lib/client.js query(): `if (!this._queryable)`).',
      fix: 'Use a pool, which replaces dead connections (createPgPool), rather than one long-lived client; for LISTEN use createListener. Retry only idempotent work: the error does not say whether what came before it committed.',
      transient: true,
      phase: 'in-flight',
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
      id: 'statement-timeout',
      title: 'canceling statement due to statement timeout',
      // 57014 query_canceled: statement_timeout ran out, or pg_cancel_backend / a client's cancel request.
      sqlstates: ['57014'],
      message: /canceling statement due to (?:statement timeout|user request)/i,
      cause:
        'The server canceled the statement: it ran past statement_timeout (or was canceled on request). It did not ' +
        'take effect, and a transaction it was in is aborted and will roll back.',
      fix:
        'Make the statement cheaper (an index, a smaller batch), or give this one more time with SET LOCAL ' +
        'statement_timeout inside its transaction. Repeating it is safe, but under the same load it times out again.',
      transient: true,
      phase: 'rolled-back',
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
  ];
}
