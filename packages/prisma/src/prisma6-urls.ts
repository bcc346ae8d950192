import type { Policy } from '@mpgkit/core';
import { redactWhenPrinted, resolveEndpoint, toPrismaTlsParams } from '@mpgkit/core/adapter';

/** The two URLs of a Prisma 6 `datasource` block. */
export interface Prisma6Urls {
  /** For `url = env(...)`: pooled, with the policy as Prisma 6 query parameters. */
  url: string;
  /** For `directUrl = env(...)`: what Prisma Migrate uses. */
  directUrl: string;
}

/**
 * Prisma 6 (classic engine) reads its pool settings from URL parameters. This puts the policy there:
 * `connection_limit` (pool size), `pool_timeout`, `connect_timeout`, `max_connection_lifetime`,
 * `max_idle_connection_lifetime`, and `pgbouncer=true` only in transaction mode (it turns the statement
 * cache off and sends `DEALLOCATE ALL`; in session mode it would only cost round trips). Parameters the
 * policy sets replace those already in the URL; others (e.g. `schema`, `sslmode`) are kept.
 *
 * Unit-tested parameter by parameter: the classic engine's binaries cannot be downloaded here.
 *
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * const { url, directUrl } = prisma6Urls(policy);
 * process.env.DATABASE_URL = url; process.env.DIRECT_DATABASE_URL = directUrl; // before new PrismaClient()
 * ```
 */
export function prisma6Urls(policy: Policy): Prisma6Urls {
  const pooled = resolveEndpoint(policy);
  const url = new URL(pooled.url);
  const params: Record<string, string> = {
    connection_limit: String(policy.poolSize),
    pool_timeout: String(Math.ceil(policy.poolTimeoutSeconds)),
    connect_timeout: String(Math.ceil(policy.connectTimeoutSeconds)),
    // Whole seconds, rounded down: a lifetime may only get shorter.
    max_connection_lifetime: String(Math.max(1, Math.floor(policy.maxLifetimeSeconds))),
    max_idle_connection_lifetime: String(Math.max(1, Math.floor(policy.idleTimeoutSeconds))),
  };
  url.searchParams.delete('pgbouncer');
  if (!policy.namedPreparedStatements) params.pgbouncer = 'true';
  if (pooled.tls !== undefined) Object.assign(params, toPrismaTlsParams(pooled.tls));
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  // Printed, the two URLs show no password; read, they are the real ones the environment needs.
  return redactWhenPrinted(
    { url: url.href, directUrl: prismaDirectUrl(policy, 'Prisma Migrate (directUrl)') },
    policy.redact,
  );
}

/**
 * The direct URL with the policy's TLS in the words of Prisma's engines (`sslmode`, `sslaccept`, `sslcert`):
 * what `prisma migrate` connects with.
 *
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * prismaDirectUrl(policy); // 'postgresql://u:p@direct.c1.flympg.net/fly-db?sslmode=require&sslaccept=strict'
 * ```
 */
export function prismaDirectUrl(policy: Policy, purpose = 'Prisma Migrate'): string {
  const { url: direct, tls } = resolveEndpoint(policy, 'direct', { purpose });
  const url = new URL(direct);
  if (tls !== undefined)
    for (const [name, value] of Object.entries(toPrismaTlsParams(tls))) url.searchParams.set(name, value);
  return url.href;
}
