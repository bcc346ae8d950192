import { parseConnectionUrl } from './parse-connection-url.ts';

/** A connection URL in the host form drivers and CLIs take as separate fields. */
export interface ConnectionParts {
  /** Host name or IP address (IPv6 without brackets), or a Unix socket directory from `?host=`. */
  host: string;
  port?: number;
  user?: string;
  password?: string;
  database: string;
}

/**
 * Splits a connection URL into host, port, user, password and database, decoded: for libraries that read
 * fields rather than a URL (drizzle-kit's `dbCredentials`, Sequelize's options), or that read a URL's
 * `sslmode` their own way.
 *
 * @param source - What to call the URL in errors. @default 'connection string'
 * @throws {MpgkitError} `INVALID_CONNECTION_URL` when unusable (the message never contains the password).
 * @example
 * ```ts
 * connectionParts('postgres://app:pw@[fdaa::3]:5432/fly-db'); // { host: 'fdaa::3', port: 5432, user: 'app', password: 'pw', database: 'fly-db' }
 * ```
 */
export function connectionParts(url: string, source = 'connection string'): ConnectionParts {
  const parsed = parseConnectionUrl(url, source);
  const decode = (text: string) => (text === '' ? undefined : decodeURIComponent(text));
  const user = decode(parsed.username);
  const password = decode(parsed.password);
  return {
    // Decoded as pg decodes it: `%2Fvar%2Frun%2Fpostgresql` is a socket directory
    // (pg-connection-string 2.14 index.js: `config.host = decodeURIComponent(hostname)`).
    host: parsed.searchParams.getAll('host').at(-1) ?? decodedHost(parsed.hostname.replace(/^\[|\]$/g, '')),
    ...(parsed.port === '' ? {} : { port: Number(parsed.port) }),
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
    database: decodeURIComponent(parsed.pathname.slice(1)),
  };
}

function decodedHost(host: string): string {
  try {
    return decodeURIComponent(host);
  } catch {
    return host;
  }
}
