import { createRequire } from 'node:module';
import { MpgkitError, MpgkitErrorCode, type Policy } from '@mpgkit/core';
import {
  type Endpoint,
  hardenedPgClient,
  instrumentPgPool,
  type MeasuredPgPool,
  type PgConnectingClientLike,
  type PgPoolConfig,
  type PgPoolConfigOptions,
  PRISMA_URL_PARAMS,
  redactWhenPrinted,
  removeQueryParams,
  requireDirectUrl,
  resolveEndpoint,
  toPgPoolConfig,
} from '@mpgkit/core/adapter';

/** The options of `@prisma/adapter-pg`'s `PrismaPg` that mpgkit sets or checks (7.x). */
export interface PrismaPgOptionsLike {
  schema?: string;
  onPoolError?: (error: Error) => void;
  onConnectionError?: (error: Error) => void;
  statementNameGenerator?: (query: unknown) => string;
  [option: string]: unknown;
}

/** `PrismaPg` from `@prisma/adapter-pg`, structurally. */
export type PrismaPgClass<A> = new (config: PgPoolConfig, options?: PrismaPgOptionsLike) => A;

/**
 * Builds Prisma 7's driver adapter from the policy: `new PrismaPg(poolConfig, options)` with the policy's
 * pool size, lifetime (within the drain window), idle timeout, connect timeout and application name,
 * and `onPoolError` / `onConnectionError` handlers that log (redacted) instead of crashing.
 *
 * Prisma 7 ignores URL parameters (`pgbouncer`, `connection_limit`, `pool_timeout`, ...): its pool is a
 * pg Pool. Those parameters are removed from the URL with a warning naming the option to use; a
 * `schema` parameter becomes the adapter's `schema` option (it is otherwise ignored: Prisma #28611).
 *
 * A config, not a Pool, is passed: adapter-pg checks `instanceof pg.Pool` against its own pg copy
 * (@prisma/adapter-pg 7.10.1 dist/index.mjs PrismaPgAdapterFactory), which an app's pg may not be.
 * The adapter then attaches its own listeners to the pool and to transaction connections. In transaction
 * mode the transaction-mode guard rides on the config's `Client` (pg-pool's option), when `pg` is installed.
 *
 * @throws {MpgkitError} `UNSAFE_ADAPTER_OPTION` for a `statementNameGenerator` in transaction mode (named
 * statements fail through a transaction pooler: 42P05, even on BEGIN).
 * @example
 * ```ts
 * import { PrismaPg } from '@prisma/adapter-pg';
 * const prisma = new PrismaClient({ adapter: prismaAdapter(policy, PrismaPg) });
 * ```
 */
export function prismaAdapter<A>(
  policy: Policy,
  PrismaPg: PrismaPgClass<A>,
  options: PrismaPgOptionsLike = {},
): A {
  return optionsOn(policy, PrismaPg, options, {});
}

/**
 * {@link prismaAdapter} on the **direct** URL, one connection, unguarded (a direct connection is a real
 * session): what Prisma Migrate connects to, for migrations and session work.
 *
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * const migrationPrisma = new PrismaClient({ adapter: prismaMigrationAdapter(policy, PrismaPg) });
 * ```
 */
export function prismaMigrationAdapter<A>(
  policy: Policy,
  PrismaPg: PrismaPgClass<A>,
  options: PrismaPgOptionsLike = {},
): A {
  requireDirectUrl(policy, 'Prisma migrations');
  return optionsOn(policy, PrismaPg, options, { target: 'direct', max: 1, role: 'migrate' });
}

function optionsOn<A>(
  policy: Policy,
  PrismaPg: PrismaPgClass<A>,
  options: PrismaPgOptionsLike,
  target: PgPoolConfigOptions,
): A {
  const endpoint = resolveEndpoint(policy, target.target, pick(target));
  if (endpoint.transactionPooled && options.statementNameGenerator !== undefined) {
    throw new MpgkitError(
      MpgkitErrorCode.UnsafeAdapterOption,
      'statementNameGenerator names every statement, and named statements fail through a transaction-mode ' +
        'PgBouncer (prepared statement "..." already exists / does not exist). Remove it, or use session mode.',
    );
  }
  const config = toPgPoolConfig(policy, target);
  const { url, schema } = prisma7Url(policy, config.connectionString);
  const Client = pgClientClass(policy, endpoint);
  const report = (what: string) => (error: Error) =>
    policy.logger.warn(
      `[mpgkit] Prisma ${what}: ${policy.redact(error.message)}; the pool reconnects on demand.`,
    );
  // Printed, the config (which adapter-pg keeps) and the pool it builds show no password.
  const adapter = new PrismaPg(
    redactWhenPrinted(
      { ...config, connectionString: url, ...(Client === undefined ? {} : { Client }) },
      policy.redact,
    ),
    {
      onPoolError: report('idle connection lost'),
      onConnectionError: report('connection lost'),
      ...(schema === undefined ? {} : { schema }),
      ...options,
    },
  );
  onEachPool(adapter, (pool) => {
    if (typeof pool.options === 'object' && pool.options !== null)
      redactWhenPrinted(pool.options, policy.redact);
    if (policy.meter !== undefined && typeof pool.on === 'function' && typeof pool.totalCount === 'number') {
      instrumentPgPool(pool as MeasuredPgPool, policy.meter, {
        minLifetimeMs: (config.maxLifetimeSeconds ?? 0) * 1000,
        perQuery: policy.perQueryMetrics,
      });
    }
  });
  return adapter;
}

// adapter-pg builds its pool in the factory's `connect()` and hands it to the adapter it returns, whose
// `underlyingDriver()` is that pool (@prisma/adapter-pg 7.10 dist/index.mjs PrismaPgAdapterFactory.connect,
// PrismaPgAdapter.underlyingDriver): each pool is seen as it is built.
function onEachPool(
  adapter: unknown,
  see: (pool: Partial<MeasuredPgPool> & { options?: unknown }) => void,
): void {
  const factory = adapter as { connect?: () => Promise<{ underlyingDriver?: () => unknown }> };
  const connect = factory.connect?.bind(factory);
  if (connect === undefined) return;
  factory.connect = async () => {
    const connected = await connect();
    const pool = connected.underlyingDriver?.() as
      | (Partial<MeasuredPgPool> & { options?: unknown })
      | undefined;
    if (typeof pool === 'object' && pool !== null) see(pool);
    return connected;
  };
}

const PRISMA_7_REPLACEMENTS: Readonly<Record<string, string>> = {
  pgbouncer: 'nothing: Prisma 7 never names statements unless statementNameGenerator is set',
  connection_limit: 'poolSize (or fleet) in defineDatabase',
  pool_timeout: 'connectTimeoutSeconds in defineDatabase',
  connect_timeout: 'connectTimeoutSeconds in defineDatabase',
  max_connection_lifetime: 'maxLifetimeSeconds in defineDatabase',
  max_idle_connection_lifetime: 'idleTimeoutSeconds in defineDatabase',
  statement_cache_size: 'nothing: Prisma 7 keeps no statement cache by default',
  schema: "the adapter's schema option (mpgkit passes it on)",
};

function prisma7Url(policy: Policy, url: string): { url: string; schema: string | undefined } {
  const schema = new URL(url).searchParams.get('schema') ?? undefined;
  const { url: cleaned, removed } = removeQueryParams(url, PRISMA_URL_PARAMS);
  for (const name of removed) {
    if (name === 'schema') continue;
    policy.logger.warn(
      `[mpgkit] The database URL has the Prisma 6 parameter "${name}", which Prisma 7 ignores (its pool is a pg Pool). ` +
        `Use ${PRISMA_7_REPLACEMENTS[name] ?? 'the policy options'} instead; mpgkit removed it from the URL.`,
    );
  }
  return { url: cleaned, schema };
}

// adapter-pg builds `new pg.Pool(config)`, and pg-pool takes a `Client` class from its options: core's hardened
// client puts mpgkit's protections on every connection (connect backoff and phase; on the pooled URL in
// transaction mode, the guard). pg is loaded from the app's own install (an optional peer: Prisma 7 apps have
// it through adapter-pg, Prisma 6 apps need not).
function pgClientClass(policy: Policy, endpoint: Endpoint): unknown {
  let pg: { Client: new (...args: never[]) => PgConnectingClientLike };
  try {
    pg = createRequire(import.meta.url)('pg');
  } catch {
    policy.logger.warn(
      `[mpgkit] The connect backoff${endpoint.transactionPooled && policy.transactionModeGuard !== 'off' ? ' and the transaction-mode guard need' : ' needs'} the pg package next to @mpgkit/prisma; Prisma's pool runs without.`,
    );
    return undefined;
  }
  return hardenedPgClient(policy, pg.Client, endpoint);
}

function pick(target: PgPoolConfigOptions): { role?: string } {
  return target.role === undefined ? {} : { role: target.role };
}
