import { ADAPTER_ENTRIES, builderOf } from '../adapter-entries.ts';
import { type KnownError, POOLER_SQLSTATE } from './known-error.ts';

// The catalogue's first part: errors of a client's setup, met when it connects or first queries: named
// statements through a transaction pooler, the guard, logins, TLS, startup parameters.

const POOLER = POOLER_SQLSTATE;

/** setupErrors's entries, in the catalogue's order (the first match wins). */
export function setupErrors(): KnownError[] {
  const { kysely, drizzle, prisma, typeorm, knex, sequelize } = ADAPTER_ENTRIES;
  const postgresJs = ADAPTER_ENTRIES['drizzle-postgres-js'];
  return [
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
      id: 'database-does-not-exist',
      title: 'database "…" does not exist',
      // PostgreSQL: FATAL 3D000 (invalid_catalog_name). PgBouncer 1.18 refuses a database its config does not
      // list with its generic 08P01 and "no such database: <name>" (measured on the stack).
      sqlstates: ['3D000', POOLER],
      message: /database "[^"]*" does not exist|no such database/i,
      cause:
        "The URL names a database the server (or PgBouncer's database list) does not have: a typo, the cluster's " +
        'other database, or one not created yet. MPG names its database in the Connect tab (often fly-db).',
      fix: 'Correct the database name after the host in the URL (`mpgkit env` shows it), or create the database on the direct URL first.',
      transient: false,
      phase: 'config',
    },
  ];
}
