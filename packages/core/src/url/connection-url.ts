import { MpgkitError, MpgkitErrorCode } from '../errors.ts';
import { redactUrl, secretsOf } from '../redact.ts';
import {
  type ResolvedTls,
  resolveTls,
  TLS_URL_PARAMS,
  type TlsMode,
  type TlsOptions,
  tlsWarning,
} from '../tls/tls.ts';
import { databaseOf, hostOf, hrefOf, parseConnectionUrl } from './parse-connection-url.ts';

/** Whether a URL reaches Postgres through PgBouncer (`pooled`), around it (`direct`), or we can't tell. */
export type ConnectionTarget = 'pooled' | 'direct' | 'unknown';

/** Where the direct URL of a {@link ConnectionUrls} came from. */
export type DirectUrlSource = 'option' | 'env' | 'derived' | 'none';

// MPG's two hostnames for one cluster, from the "Connect Your Client" guide (shared/seeds/000). Matched
// against the lower-cased host: a case-insensitive pattern took V8 ~0.2 ms to compile at start, and twice, since
// a pattern's second run compiles it again to machine code (`--regexp-tier-up-ticks=1`, node --v8-options).
const MPG_HOST = /^(pgbouncer|direct)\.([a-z0-9-]+(?:\.[a-z0-9-]+)*)\.flympg\.net$/;
// A fully qualified name may end in a dot (`pgbouncer.c1.flympg.net.`): the same host.
const mpgHostOf = (url: URL) => MPG_HOST.exec(url.hostname.toLowerCase().replace(/\.$/, ''));
const PGBOUNCER_DEFAULT_PORT = '6432';

/**
 * Query parameters that only Prisma reads. node-postgres ignores them, but postgres.js sends unknown
 * parameters to the server as startup parameters, which PgBouncer refuses
 * (`unsupported startup parameter`), so they are stripped before a URL reaches such a driver.
 *
 * @example
 * ```ts
 * removeQueryParams(url, PRISMA_URL_PARAMS).url;
 * ```
 */
export const PRISMA_URL_PARAMS: readonly string[] = Object.freeze([
  'pgbouncer',
  'connection_limit',
  'pool_timeout',
  'connect_timeout',
  'socket_timeout',
  'statement_cache_size',
  'max_connection_lifetime',
  'max_idle_connection_lifetime',
  'schema',
  'sslaccept',
  'sslidentity',
]);

/**
 * Tells whether a URL goes through PgBouncer. MPG hosts are recognised by name
 * (`pgbouncer.<cluster>.flympg.net` / `direct.<cluster>.flympg.net`); elsewhere port 6432, PgBouncer's
 * default, means pooled. Anything else is `unknown`.
 *
 * @example
 * ```ts
 * classifyConnectionUrl('postgresql://u:p@direct.c1.flympg.net/fly-db'); // 'direct'
 * ```
 */
export function classifyConnectionUrl(url: string | URL): ConnectionTarget {
  const parsed = typeof url === 'string' ? parseConnectionUrl(url) : url;
  const mpg = mpgHostOf(parsed);
  if (mpg) return mpg[1] === 'pgbouncer' ? 'pooled' : 'direct';
  if (parsed.port === PGBOUNCER_DEFAULT_PORT) return 'pooled';
  return 'unknown';
}

/**
 * Derives the direct URL from an MPG pooled URL by swapping `pgbouncer.` for `direct.` in the host;
 * user, password, database, port and parameters are kept. Returns `undefined` for any other host.
 *
 * @example
 * ```ts
 * deriveDirectUrl('postgresql://u:p@pgbouncer.c1.flympg.net/fly-db');
 * // 'postgresql://u:p@direct.c1.flympg.net/fly-db'
 * ```
 */
export function deriveDirectUrl(pooledUrl: string | URL): string | undefined {
  const parsed = new URL(typeof pooledUrl === 'string' ? parseConnectionUrl(pooledUrl).href : pooledUrl.href);
  const mpg = mpgHostOf(parsed);
  if (mpg?.[1] !== 'pgbouncer') return undefined;
  parsed.hostname = `direct.${mpg[2]}.flympg.net`;
  return parsed.href;
}

/**
 * The same URL pointed at another database of the cluster (MPG clusters can hold several).
 *
 * @example
 * ```ts
 * withDatabase('postgresql://u:p@h/fly-db', 'reports'); // 'postgresql://u:p@h/reports'
 * ```
 */
export function withDatabase(url: string, database: string): string {
  if (database.trim() === '' || database.includes('/')) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `Database name "${database}" is not valid. Use the name shown in the Databases tab, e.g. "fly-db".`,
    );
  }
  const parsed = parseConnectionUrl(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return hrefOf(parsed);
}

/**
 * The same URL with another user (and password, if given; otherwise the old password is dropped,
 * since it belongs to the old user). MPG clusters can have Schema Admin, Writer and Reader users.
 *
 * @example
 * ```ts
 * withCredentials('postgresql://fly-user:pw@h/fly-db', 'app-writer', 'pw2');
 * ```
 */
export function withCredentials(url: string, user: string, password?: string): string {
  if (user.trim() === '') {
    throw new MpgkitError(MpgkitErrorCode.InvalidOption, 'User name is empty. Give the user to connect as.');
  }
  const parsed = parseConnectionUrl(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = password === undefined ? '' : encodeURIComponent(password);
  return hrefOf(parsed);
}

/**
 * Removes query parameters from a URL and says which were there.
 *
 * @example
 * ```ts
 * removeQueryParams('postgresql://u@h/db?pgbouncer=true&sslmode=require', PRISMA_URL_PARAMS);
 * // { url: 'postgresql://u@h/db?sslmode=require', removed: ['pgbouncer'] }
 * ```
 */
export function removeQueryParams(url: string, names: Iterable<string>): { url: string; removed: string[] } {
  const parsed = parseConnectionUrl(url);
  const removed: string[] = [];
  for (const name of names) {
    if (parsed.searchParams.has(name)) {
      parsed.searchParams.delete(name);
      removed.push(name);
    }
  }
  return { url: hrefOf(parsed), removed };
}

/** Options of {@link resolveConnectionUrls}. */
export interface ResolveConnectionUrlsOptions {
  /** Where variables are read from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Variable holding the pooled URL (`fly mpg attach` lets you rename it). @default 'DATABASE_URL' */
  pooledEnvVar?: string;
  /** Variable holding the direct URL. @default 'DIRECT_DATABASE_URL' */
  directEnvVar?: string;
  /** The pooled URL itself; wins over the variable. @default undefined */
  pooledUrl?: string;
  /** The direct URL itself; wins over the variable. @default undefined */
  directUrl?: string;
  /** Connect to this database instead of the one in the URLs. @default undefined */
  database?: string;
  /** Connect as this user instead of the one in the URLs. @default undefined */
  user?: string;
  /** Password for {@link ResolveConnectionUrlsOptions.user}. @default undefined */
  password?: string;
  /**
   * TLS for both URLs, with libpq's meanings; the URLs' `sslmode` / `sslrootcert` and libpq's `PGSSLMODE` /
   * `PGSSLROOTCERT` feed it too (a conflict with the URL is an error).
   * @default 'verify-full' for a remote host, 'disable' for loopback and Unix sockets
   */
  tls?: TlsMode | TlsOptions;
}

/** The TLS each URL of a {@link ConnectionUrls} will use. */
export interface ConnectionTls {
  readonly pooled: ResolvedTls;
  readonly direct: ResolvedTls | undefined;
}

/** The resolved URLs. The strings hold passwords: print them only through `redactUrl`. */
export interface ConnectionUrls {
  /** URL for app traffic, through PgBouncer. */
  readonly pooled: string;
  /** URL for migrations, advisory locks and LISTEN, around PgBouncer; `undefined` when unknown. */
  readonly direct: string | undefined;
  /** Where the direct URL came from. */
  readonly directSource: DirectUrlSource;
  /** What the pooled URL looks like it reaches. */
  readonly pooledTarget: ConnectionTarget;
  /** The TLS of each URL (their `ssl*` parameters are read into it and removed from `pooled` / `direct`). */
  readonly tls: ConnectionTls;
  /** Every password in the URLs, for {@link redact}. */
  readonly secrets: readonly string[];
  /** Things that work but are probably not what was meant. */
  readonly warnings: readonly string[];
}

/**
 * Reads the pooled and direct URLs from the environment (or options), derives the direct URL for MPG
 * when it is missing, applies a database or user switch, and checks that each URL points where it
 * should.
 *
 * @throws {MpgkitError} `MISSING_ENV_VAR`, `INVALID_CONNECTION_URL`, or `WRONG_CONNECTION_TARGET` when
 * the direct URL points at PgBouncer.
 * @example
 * ```ts
 * const urls = resolveConnectionUrls({ env: process.env });
 * urls.direct; // from DIRECT_DATABASE_URL, or derived from an MPG pooled host
 * ```
 */
export function resolveConnectionUrls(options: ResolveConnectionUrlsOptions = {}): ConnectionUrls {
  const env = options.env ?? globalThis.process?.env ?? {};
  const pooledVar = options.pooledEnvVar ?? 'DATABASE_URL';
  const directVar = options.directEnvVar ?? 'DIRECT_DATABASE_URL';
  const warnings: string[] = [];

  const pooledSource = options.pooledUrl === undefined ? pooledVar : 'the pooledUrl option';
  let pooled = hrefOf(parseConnectionUrl(options.pooledUrl ?? env[pooledVar], pooledSource));

  let direct: string | undefined;
  let directSource: DirectUrlSource = 'none';
  if (options.directUrl !== undefined) {
    direct = hrefOf(parseConnectionUrl(options.directUrl, 'the directUrl option'));
    directSource = 'option';
  } else if (env[directVar] !== undefined && env[directVar]?.trim() !== '') {
    direct = hrefOf(parseConnectionUrl(env[directVar], directVar));
    directSource = 'env';
  } else {
    direct = deriveDirectUrl(pooled);
    if (direct !== undefined) directSource = 'derived';
  }

  if (options.user !== undefined) {
    pooled = withCredentials(pooled, options.user, options.password);
    if (direct !== undefined) direct = withCredentials(direct, options.user, options.password);
  }
  if (options.database !== undefined) {
    pooled = withDatabase(pooled, options.database);
    if (direct !== undefined) direct = withDatabase(direct, options.database);
  }

  // Each final URL is parsed once here; the checks below and the secrets read the parsed form.
  const pooledParsed = parseConnectionUrl(pooled);
  const directParsed = direct === undefined ? undefined : parseConnectionUrl(direct);
  const pooledTarget = classifyConnectionUrl(pooledParsed);
  if (pooledTarget === 'direct') {
    warnings.push(
      `${pooledSource} points at the direct host, so app traffic bypasses PgBouncer and uses Postgres ` +
        'connection slots directly. Use the pooled URL (pgbouncer.<cluster>.flympg.net) for the app.',
    );
  }
  if (directParsed !== undefined && sameEndpoint(pooledParsed, directParsed)) {
    const name = directSource === 'env' ? directVar : 'the directUrl option';
    throw new MpgkitError(
      MpgkitErrorCode.WrongConnectionTarget,
      `${name} reaches the same host, port and database as the pooled URL (${redactUrl(pooled)}), so migrations ` +
        'would run through the pooler. Set it to the direct URL from the Connect tab (direct.<cluster>.flympg.net), ' +
        'or leave it unset on MPG to derive it.',
      { details: { source: name } },
    );
  }
  if (
    direct !== undefined &&
    directParsed !== undefined &&
    classifyConnectionUrl(directParsed) === 'pooled'
  ) {
    const name = directSource === 'env' ? directVar : 'the directUrl option';
    throw new MpgkitError(
      MpgkitErrorCode.WrongConnectionTarget,
      `${name} (${redactUrl(direct)}) points at PgBouncer. Migrations, advisory locks and LISTEN need a ` +
        'session on Postgres itself: use the direct URL (direct.<cluster>.flympg.net) from the Connect tab.',
      { details: { source: name } },
    );
  }

  const directName =
    directSource === 'env' ? directVar : directSource === 'option' ? 'the directUrl option' : pooledSource;
  const tls: ConnectionTls = Object.freeze({
    pooled: resolveTls(pooledParsed, options.tls, env, pooledSource),
    direct: directParsed && resolveTls(directParsed, options.tls, env, directName),
  });
  for (const [resolved, name] of [
    [tls.pooled, pooledSource],
    [tls.direct, directName],
  ] as const) {
    const warning = resolved && tlsWarning(resolved, name);
    if (warning !== undefined && !warnings.includes(warning)) warnings.push(warning);
  }
  const secrets = secretsOf(...(directParsed === undefined ? [pooledParsed] : [pooledParsed, directParsed]));
  return Object.freeze({
    pooled: withoutTlsParams(pooledParsed),
    direct: directParsed && withoutTlsParams(directParsed),
    directSource,
    pooledTarget,
    tls,
    secrets: Object.freeze([...new Set(secrets)]),
    warnings: Object.freeze(warnings),
  });
}

// Drivers read TLS parameters each their own way (pg even lets them override its `ssl` option), so the
// URLs they get carry none: the resolved setting reaches them as driver options instead.
function withoutTlsParams(url: URL): string {
  // Deleting re-serializes the whole query (`/` becomes %2F): touch it only when there is something to take out.
  for (const name of TLS_URL_PARAMS) if (url.searchParams.has(name)) url.searchParams.delete(name);
  return hrefOf(url);
}

// Two URLs reach the same server when host (or ?host=), port and database agree; user and parameters
// do not change where a connection lands.
function sameEndpoint(a: URL, b: URL): boolean {
  const endpoint = (url: URL) => {
    const host = (url.searchParams.get('host') ?? hostOf(url)).toLowerCase();
    return `${host}|${url.port || url.searchParams.get('port') || '5432'}|${databaseOf(url)}`;
  };
  return endpoint(a) === endpoint(b);
}
