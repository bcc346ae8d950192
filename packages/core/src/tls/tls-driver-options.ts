import { MpgkitError, MpgkitErrorCode } from '../errors.ts';
import type { ResolvedTls } from './tls.ts';

/**
 * The `tls.connect` options mpgkit gives a driver (node:tls `ConnectionOptions`, structurally). pg passes
 * its `ssl` object to `tls.connect` (pg 8.23 lib/connection.js `upgradeToSSL`), and so do postgres.js
 * (src/connection.js `secure()`), TypeORM (`ssl` goes to pg) and Prisma 7's adapter-pg.
 */
export interface NodeTlsOptions {
  /** Refuse a certificate that does not chain to `ca` (or Node's roots). */
  rejectUnauthorized: boolean;
  /** PEM of the CA to trust instead of Node's roots. */
  ca?: string;
  /** `verify-ca` checks the chain only: the host name is not compared. */
  checkServerIdentity?: (host: string, certificate: object) => Error | undefined;
  /** The host the certificate must name: drivers leave it unset for IP addresses (see {@link toPostgresJsSsl}). */
  host?: string;
}

/**
 * The node-postgres `ssl` option for a resolved TLS setting. With `rejectUnauthorized`, Node checks the
 * certificate against `servername || host || 'localhost'`. pg sets `servername` for host names only; pg 8.23
 * also passes `host` (lib/connection.js `upgradeToSSL`), but pg 8.8 does not (lib/connection.js: only
 * `Object.assign(options, self.ssl)` and `servername`), so an IP address was checked against 'localhost'. The
 * options carry `host` themselves, and every supported pg checks the address dialled.
 *
 * @throws {MpgkitError} `INVALID_OPTION` for `prefer`: pg fails rather than fall back to plaintext when a
 * server declines TLS ("The server does not support SSL connections"), so `prefer` cannot mean what it says.
 * @example
 * ```ts
 * new pg.Pool({ ...config, ssl: toNodePostgresSsl(policy.tls.pooled) });
 * ```
 */
export function toNodePostgresSsl(tls: ResolvedTls, driver = 'node-postgres'): false | NodeTlsOptions {
  if (tls.mode === 'prefer') {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `TLS mode 'prefer' (for ${tls.host}) cannot work with ${driver}: it has no plaintext fallback. Use ` +
        "'require' or 'verify-full' (the server offers TLS) or 'disable' (it does not).",
      { details: { mode: tls.mode } },
    );
  }
  return toNodeTls(tls);
}

/**
 * The postgres.js `ssl` option for a resolved TLS setting: `false`, `'prefer'` (postgres.js falls back to
 * plaintext when the server declines), or `tls.connect` options with the host to check. postgres.js's own
 * `'require'` and `'verify-full'` strings are avoided: an options object says exactly what is checked.
 *
 * @example
 * ```ts
 * postgres(url, { ssl: toPostgresJsSsl(policy.tls.pooled) });
 * ```
 */
export function toPostgresJsSsl(tls: ResolvedTls): false | 'prefer' | NodeTlsOptions {
  if (tls.mode === 'prefer') return 'prefer';
  // postgres.js sets `servername` only for host names and passes no `host` (src/connection.js `secure()`), so
  // for an IP address (Fly's private [fdaa:…] addresses, 127.0.0.1) tls.connect checked the certificate against
  // 'localhost' and verify-full failed (measured on the stack). The options carry `host`.
  return toNodeTls(tls);
}

/**
 * The URL parameters Prisma's own engines (Prisma 6 query engine, the schema engine of `prisma migrate`)
 * read for a resolved TLS setting: `sslmode` (`disable` / `prefer` / `require`), `sslaccept` (`strict`
 * checks the certificate and host name; `accept_invalid_certs` does not) and `sslcert`, the CA file
 * (Prisma docs, "Configuring an SSL connection": https://www.prisma.io/docs/orm/overview/databases/postgresql).
 *
 * @throws {MpgkitError} `INVALID_OPTION` for `verify-ca` (Prisma cannot check a chain without the host
 * name) and for a CA given as PEM text (Prisma reads a file).
 * @example
 * ```ts
 * toPrismaTlsParams(policy.tls.direct); // { sslmode: 'require', sslaccept: 'strict' }
 * ```
 */
export function toPrismaTlsParams(tls: ResolvedTls): Record<string, string> {
  switch (tls.mode) {
    case 'disable':
      return { sslmode: 'disable' };
    case 'prefer':
    case 'require':
      return { sslmode: tls.mode, sslaccept: 'accept_invalid_certs' };
    case 'verify-ca':
      throw new MpgkitError(
        MpgkitErrorCode.InvalidOption,
        "Prisma's engines cannot verify a certificate's CA without its host name: use 'verify-full' (or 'require').",
        { details: { mode: tls.mode } },
      );
    case 'verify-full': {
      if (tls.ca !== undefined && tls.caPath === undefined) {
        throw new MpgkitError(
          MpgkitErrorCode.InvalidOption,
          "Prisma's engines read the CA from a file: give tls.ca as a path, not as PEM text.",
          { details: { mode: tls.mode } },
        );
      }
      return {
        sslmode: 'require',
        sslaccept: 'strict',
        ...(tls.caPath === undefined ? {} : { sslcert: tls.caPath }),
      };
    }
  }
}

function toNodeTls(tls: ResolvedTls): false | NodeTlsOptions {
  if (tls.mode === 'disable') return false;
  const ca = tls.ca === undefined ? {} : { ca: tls.ca };
  if (tls.mode === 'require' || tls.mode === 'prefer') return { rejectUnauthorized: false };
  if (tls.mode === 'verify-ca')
    return { rejectUnauthorized: true, ...ca, checkServerIdentity: () => undefined };
  return { rejectUnauthorized: true, ...ca, host: tls.host };
}
