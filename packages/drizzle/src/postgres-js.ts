import type { Policy } from '@mpgkit/core';
import {
  connectBackoffDelayMs,
  connectBackoffOptionsWithin,
  connectionParts,
  PRISMA_URL_PARAMS,
  removeQueryParams,
  resolveEndpoint,
  toPostgresJsSsl,
} from '@mpgkit/core/adapter';
import type { DrizzleConfig } from 'drizzle-orm';
import type { MigrationConfig } from 'drizzle-orm/migrator';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { guardPostgresJs } from './postgres-js-guard.ts';
import { isSingleTcpHost, loginCutSocket } from './postgres-js-socket.ts';

export {
  type DrizzleKitCredentials,
  type DrizzleKitDatabase,
  drizzleKitConfig,
} from './cli-config.ts';
export { guardPostgresJs, type PostgresJsGuardOptions } from './postgres-js-guard.ts';

/** Which URL a postgres.js client uses. */
export type PostgresJsTarget = 'pooled' | 'direct';

// Policies already warned that postgres.js's pool is not measured.
const unmeasured = new WeakSet<Policy>();

/**
 * postgres.js options from the policy. `prepare: false` on the pooled URL in transaction mode: with
 * postgres.js's default (`true`) every query is a named statement and through a transaction pooler
 * queries fail **or never resolve**. The client-level `false` wins over a per-query `prepare`
 * (postgres 3.4 src/connection.js: `options.prepare && (...)`), so Drizzle's `.prepare()` is safe too.
 * `max_lifetime` is a function, which postgres.js calls once per connection (connection.js `timer()`),
 * giving each connection its own lifetime, never above the policy's maximum. Options cannot refuse
 * session-only SQL: wrap the client in {@link guardPostgresJs} (as `createDrizzle` does).
 *
 * @example
 * ```ts
 * const sql = guardPostgresJs(postgres(postgresJsUrl(policy), postgresJsOptions(policy)), policy);
 * ```
 */
export function postgresJsOptions(
  policy: Policy,
  target: PostgresJsTarget = 'pooled',
): postgres.Options<Record<string, postgres.PostgresType>> {
  const endpoint = resolveEndpoint(policy, target, {
    ...(target === 'direct' ? { role: 'migrate' } : {}),
    purpose: 'postgres.js on the direct URL',
  });
  const direct = endpoint.route === 'direct';
  if (policy.meter !== undefined && !unmeasured.has(policy)) {
    // postgres.js keeps its connections in internal queues and emits no pool events (postgres 3.4.9
    // src/index.js: `queues`, and only `onclose(id)` among the options): there is nothing true to report.
    unmeasured.add(policy);
    policy.logger.warn(
      '[mpgkit] postgres.js exposes neither pool events nor pool counts: its connections are not measured. ' +
        'Use the node-postgres driver (@mpgkit/drizzle/node-postgres) to see the pool in your metrics.',
    );
  }
  return {
    max: direct ? 1 : policy.poolSize,
    // Typed as a number, but postgres.js evaluates a function per connection (see above).
    max_lifetime: (() => policy.nextLifetimeSeconds()) as unknown as number,
    idle_timeout: policy.idleTimeoutSeconds,
    connect_timeout: endpoint.connectTimeoutMs / 1000,
    // postgres.js waits `backoff(retries)` seconds before reopening a connection that closed with a socket
    // error; `retries` is shared by the pool and reset once a connection is ready (postgres 3.4.9
    // src/connection.js closed() and ReadyForQuery). Its default grows to 20 s (index.js backoff:
    // 3^retries / 100, jittered 50–100 %), and a query waiting on that connection waits as long, past the
    // connect timeout: measured on the stack, one query waited 17.7 s after a wrong password while others
    // flowed. mpgkit's is capped below half the connect timeout, with full jitter.
    backoff: (retries: number) =>
      connectBackoffDelayMs(retries, Math.random(), connectBackoffOptionsWithin(endpoint.connectTimeoutMs)) /
      1000,
    prepare: !endpoint.transactionPooled,
    // The policy's TLS as tls.connect options (postgres.js merges an object into them, src/connection.js
    // `secure()`); mpgkit's URLs carry no sslmode, which postgres.js would read with its own meanings.
    ssl: endpoint.tls === undefined ? false : toPostgresJsSsl(endpoint.tls),
    // On each new connection postgres.js runs a query for array types from its data handler and never
    // awaits it (postgres 3.4.9 src/connection.js ReadyForQuery: `return fetchArrayTypes()`). When that query
    // fails, e.g. PgBouncer answering "server login has been failing (server_login_retry)" while Postgres
    // restarts, the rejection is unhandled and Node exits (measured on the stack: Drizzle on postgres.js
    // crashed on every PostgreSQL restart). Drizzle parses arrays itself (pg-core PgArray accepts the text
    // form); a raw query returns arrays as text ('{1,2}').
    fetch_types: false,
    connection: {
      application_name: endpoint.applicationName,
    },
    // The password as a function, which postgres.js calls at each login (postgres 3.4.9 src/connection.js
    // AuthenticationCleartextPassword/SASL: `typeof options.pass === 'function' ? options.pass() : ...`), and
    // which wins over the URL's (src/index.js parseOptions: `o.pass || o.password || url.password`): the
    // client's `options` object, which postgres.js keeps as `sql.options`, then prints without it.
    ...passwordOption(endpoint.url),
    // A login cut by a closed connection fails the waiting query instead of holding it forever on 3.4.9
    // (./postgres-js-socket.ts, porsager/postgres#1193), marked as the connect phase on 3 and 4 alike (4 retries
    // the cut itself until connect_timeout, then rejects with the socket's error: postgres 4.2.0 src/pool.js
    // attempted(), src/startup.js `socket.onclose`). `socket` is postgres.js's documented custom-socket
    // option (README "Custom socket"); 4 types its result as its own SocketLike, which a net.Socket is at run
    // time (4.2.0 src/socket.js wrap() listens for data, drain, error and close on what the factory returns).
    ...(isSingleTcpHost(connectionParts(endpoint.url).host)
      ? // Typed for neither version (3 declares no `socket`; 4 declares its SocketLike): checked by the tests.
        { socket: loginCutSocket(endpoint.tls?.mode) as never }
      : {}),
    // postgres.js prints every NOTICE as a raw object by default (postgres 3.4.9 src/connection.js
    // NoticeResponse: `onnotice ? onnotice(notice) : console.log(notice)`): Drizzle's migrator prints two ("schema drizzle
    // already exists, skipping"). One readable line instead, through the policy's logger.
    onnotice: (notice) =>
      policy.logger.warn(`[mpgkit] postgres NOTICE: ${policy.redact(String(notice.message))}`),
  };
}

/**
 * The policy's URL for postgres.js, without the parameters only Prisma reads: postgres.js sends unknown
 * URL parameters to the server as startup parameters, which PgBouncer refuses
 * (`unsupported startup parameter: pgbouncer`).
 *
 * @example
 * ```ts
 * postgresJsUrl(policy); // pooled URL minus ?pgbouncer=true&connection_limit=...
 * ```
 */
export function postgresJsUrl(policy: Policy, target: PostgresJsTarget = 'pooled'): string {
  const { url } = resolveEndpoint(policy, target, { purpose: 'postgres.js on the direct URL' });
  // A ?password= parameter too: postgres.js would send it to the server as a startup parameter (and keep it
  // in sql.options.connection); postgresJsOptions passes it as the password.
  return removeQueryParams(url, [...PRISMA_URL_PARAMS, 'password']).url;
}

function passwordOption(url: string): { pass?: () => string } {
  const query = new URLSearchParams(url.split('?')[1] ?? '');
  const password = connectionParts(url).password ?? query.get('password') ?? undefined;
  return password === undefined ? {} : { pass: () => password };
}

/** A Drizzle database over postgres.js, with the client as `$client`. */
export type DrizzlePostgresJs<TSchema extends Record<string, unknown>> = PostgresJsDatabase<TSchema> & {
  $client: postgres.Sql;
};

/**
 * Drizzle over a postgres.js client built from the policy ({@link postgresJsUrl} +
 * {@link postgresJsOptions}): pooled URL, `prepare: false` in transaction mode, a per-connection lifetime.
 *
 * @param config - Drizzle's own config (`schema`, `logger`, `casing`). @default {}
 * @example
 * ```ts
 * export const db = createDrizzle(policy, { schema });
 * ```
 */
export function createDrizzle<TSchema extends Record<string, unknown> = Record<string, never>>(
  policy: Policy,
  config: DrizzleConfig<TSchema> = {},
): DrizzlePostgresJs<TSchema> {
  return drizzle({ ...config, client: postgresJsClient(policy, 'pooled') });
}

/**
 * Drizzle over postgres.js on the **direct** URL with one connection, for migrations and session work.
 *
 * @param config - Drizzle's own config. @default {}
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * const migrationDb = createMigrationDrizzle(policy);
 * ```
 */
export function createMigrationDrizzle<TSchema extends Record<string, unknown> = Record<string, never>>(
  policy: Policy,
  config: DrizzleConfig<TSchema> = {},
): DrizzlePostgresJs<TSchema> {
  return drizzle({ ...config, client: postgresJsClient(policy, 'direct') });
}

// postgres.js's end() without a timeout waits for every connection to close, and a connection whose
// query was cut (its backend terminated, directly or through PgBouncer) never does: no ReadyForQuery
// comes, so end() never resolves (postgres 3.4.9 src/index.js end(), src/connection.js end(); measured on
// the stack in both pool modes). The clients mpgkit builds end within the connect timeout by default,
// then close what is left, so an app's shutdown cannot hang on it.
function postgresJsClient(policy: Policy, target: PostgresJsTarget): postgres.Sql {
  const sql = postgres(postgresJsUrl(policy, target), postgresJsOptions(policy, target));
  const end = sql.end.bind(sql);
  sql.end = (options = {}) => end({ timeout: policy.connectTimeoutSeconds, ...options });
  const { transactionPooled } = resolveEndpoint(policy, target, { purpose: 'postgres.js on the direct URL' });
  return guardPostgresJs(sql, policy, { transactionPooled });
}

/**
 * Applies pending migrations over postgres.js on the direct URL and closes the client.
 *
 * @param config - Drizzle's migration config (`migrationsFolder`, `migrationsTable`).
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * await runMigrations(policy, { migrationsFolder: './drizzle' });
 * ```
 */
export async function runMigrations(policy: Policy, config: MigrationConfig): Promise<void> {
  const db = createMigrationDrizzle(policy);
  try {
    await migrate(db, config);
  } finally {
    await db.$client.end();
  }
}
