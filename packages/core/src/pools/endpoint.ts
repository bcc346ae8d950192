import { applicationNameFor, type Policy, requireDirectUrl } from '../policy/policy.ts';
import { redactWhenPrinted } from '../redact.ts';
import type { ResolvedTls } from '../tls/tls.ts';
import { type NodeTlsOptions, toNodePostgresSsl } from '../tls/tls-driver-options.ts';

/** Which of the policy's URLs a connection uses: the app's `pooled` one (PgBouncer), or `direct`. */
export type Route = 'pooled' | 'direct';

/**
 * Everything a driver needs to know about where its connections go, resolved once from the policy for one
 * route: adapters read it instead of choosing the URL, the TLS and the application name themselves.
 * Printing it (console.log, JSON) shows the URL redacted.
 */
export interface Endpoint {
  readonly route: Route;
  /** The URL to dial, password included: hand it to the driver, never print it. */
  readonly url: string;
  /** The TLS this URL uses (libpq's modes); `undefined` only for a direct URL that does not exist. */
  readonly tls: ResolvedTls | undefined;
  /** `application_name`, with the role as suffix (`mpgkit:web:migrate`). */
  readonly applicationName: string;
  /**
   * Whether connections go through a transaction-mode PgBouncer: the transaction-mode guard applies, and
   * statements must go unnamed. False for the direct URL and in session mode.
   */
  readonly transactionPooled: boolean;
  /** How long opening a connection may take, from `policy.connectTimeoutSeconds`. */
  readonly connectTimeoutMs: number;
}

/** Options of {@link resolveEndpoint}. */
export interface EndpointOptions {
  /** Suffix for `application_name`, e.g. `'migrate'`. @default undefined */
  role?: string;
  /** What the direct URL is for, named in `MISSING_DIRECT_URL`'s message. @default 'migrations' */
  purpose?: string;
}

/**
 * The resolved endpoint of a route: the one place that picks the pooled or direct URL and its TLS.
 *
 * @param route - @default 'pooled'
 * @throws {MpgkitError} `MISSING_DIRECT_URL` for `direct` when the policy has no direct URL.
 * @example
 * ```ts
 * const endpoint = resolveEndpoint(policy, 'direct', { role: 'migrate', purpose: 'knex migrations' });
 * new pg.Client({ connectionString: endpoint.url, ssl: pgSslOf(endpoint) });
 * ```
 */
export function resolveEndpoint(
  policy: Policy,
  route: Route = 'pooled',
  options: EndpointOptions = {},
): Endpoint {
  const direct = route === 'direct';
  return Object.freeze(
    redactWhenPrinted(
      {
        route,
        url: direct ? requireDirectUrl(policy, options.purpose) : policy.urls.pooled,
        tls: direct ? policy.tls.direct : policy.tls.pooled,
        applicationName: applicationNameFor(policy, options.role),
        transactionPooled: !direct && !policy.namedPreparedStatements,
        connectTimeoutMs: Math.round(policy.connectTimeoutSeconds * 1000),
      },
      policy.redact,
    ),
  );
}

/**
 * node-postgres's `ssl` option for an endpoint, always set: with `ssl` unset pg would read `PGSSLMODE` its
 * own way (pg 8 lib/connection-parameters.js).
 *
 * @param driver - named in the error for TLS mode `prefer`, which pg cannot do. @default 'node-postgres'
 * @example
 * ```ts
 * new pg.Pool({ connectionString: endpoint.url, ssl: pgSslOf(endpoint) });
 * ```
 */
export function pgSslOf(endpoint: Pick<Endpoint, 'tls'>, driver?: string): false | NodeTlsOptions {
  return endpoint.tls === undefined ? false : toNodePostgresSsl(endpoint.tls, driver);
}
