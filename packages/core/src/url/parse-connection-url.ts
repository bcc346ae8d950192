import { MpgkitError, MpgkitErrorCode } from '../errors.ts';
import { redactUrl } from '../redact.ts';
import { isLocalHost } from '../tls/tls.ts';

// Reading one connection string: what it must hold, and every way it can be unsafe to read (a raw password
// character that moves the host, two hosts, broken escapes), refused before anything uses it.

const POSTGRES_PROTOCOLS = new Set(['postgres:', 'postgresql:']);

/**
 * Parses and validates a Postgres connection string. Errors name `source` (the variable or option the
 * value came from) and the fix, and never contain the password.
 *
 * @param source - What to call the value in errors, e.g. `'DATABASE_URL'`. @default 'connection string'
 * @throws {MpgkitError} `MISSING_ENV_VAR` when empty, `INVALID_CONNECTION_URL` when unusable.
 * @example
 * ```ts
 * const url = parseConnectionUrl(process.env.DATABASE_URL, 'DATABASE_URL');
 * url.hostname; // 'pgbouncer.my-cluster.flympg.net'
 * ```
 */
export function parseConnectionUrl(value: string | undefined, source = 'connection string'): URL {
  if (value === undefined || value.trim() === '') {
    throw new MpgkitError(
      MpgkitErrorCode.MissingEnvVar,
      `${source} is ${value === undefined ? 'not set' : 'empty'}. Set it to your cluster's connection string ` +
        '(postgresql://USER:PASSWORD@HOST/DATABASE, from the Connect tab or `fly mpg attach`).',
      { details: { source } },
    );
  }
  const trimmed = value.trim();
  // The WHATWG parser drops tab, CR and LF anywhere in a URL: the driver would get another password than
  // the one written (and redaction would look for the wrong one).
  if (/[\t\r\n]/.test(trimmed)) {
    throw invalid(
      source,
      'contains a tab or a line break',
      'Percent-encode it where it belongs (encodeURIComponent: a tab is %09, a line break %0A), or remove it.',
    );
  }
  const url = parseLikePg(trimmed);
  if (url === undefined) {
    // The value can't be parsed, so we can't tell where a password would be: echo none of it.
    if (/^postgres(ql)?:\/\//i.test(trimmed)) {
      throw invalid(
        source,
        'is not a valid URL',
        'Check that it has a host, and percent-encode any @ : / ? # in the password (encodeURIComponent).',
      );
    }
    throw invalid(source, 'is not a URL', 'Expected postgresql://USER:PASSWORD@HOST/DATABASE.');
  }
  if (!POSTGRES_PROTOCOLS.has(url.protocol)) {
    const scheme = /^[a-z][a-z0-9+.-]{0,20}:$/i.test(url.protocol) ? url.protocol : 'an unknown scheme';
    throw invalid(source, `uses ${scheme}`, 'Use a postgresql:// (or postgres://) URL.');
  }
  // A raw # ? or / in the password ends the authority early: the user name becomes the host and the
  // password (with the real host after its @) lands in the fragment, query or path, where nothing treats it
  // as secret. An @ there means exactly that: nothing legitimate puts a raw @ after the host.
  if (/@/.test(url.pathname) || /@/.test(url.search) || /@/.test(url.hash)) {
    throw invalid(
      source,
      "has a user name or password with a raw character that ends the host part (one of # ? / before the URL's last @)",
      'Percent-encode the password (encodeURIComponent): # is %23, ? is %3F, / is %2F, @ is %40, : is %3A.',
    );
  }
  // node-postgres dials ?host= over the authority's host; postgres.js dials the authority's and sends ?host=
  // to the server as a startup parameter (postgres 3.4.9 src/index.js parseOptions). Two different hosts in
  // one URL, one of them remote, mean the TLS mpgkit decides for one would meet the other. (Two local ones,
  // `localhost` and a socket directory, both get plaintext.)
  const hosts = new Set(
    [hostOf(url), ...url.searchParams.getAll('host')]
      .filter((host) => host !== '')
      .map((host) => host.toLowerCase()),
  );
  if (hosts.size > 1 && [...hosts].some((host) => !isLocalHost(host))) {
    throw invalid(
      source,
      'names more than one host (the one after @ and ?host=, or ?host= twice)',
      'Drivers disagree on which one they dial (node-postgres takes ?host=, postgres.js the one after @): keep one.',
      url,
    );
  }
  if (hostOf(url) === '' && !url.searchParams.has('host')) {
    throw invalid(
      source,
      'has no host',
      'Add the host, e.g. postgresql://USER:PASSWORD@HOST/DATABASE (or ?host=/path/to/socket).',
      url,
    );
  }
  // Drivers percent-decode user, password and database: a broken escape (a lone %) fails there, later and
  // with a raw URIError. Say it here, without the value.
  for (const [part, text] of [
    ['user name', url.username],
    ['password', url.password],
    ['database name', url.pathname],
  ] as const) {
    if (!decodable(text)) {
      throw invalid(
        source,
        `has a ${part} that is not valid percent-encoding`,
        `Encode it with encodeURIComponent: a % must be written %25.`,
        part === 'password' ? undefined : url,
      );
    }
  }
  if (databaseOf(url) === '') {
    // A database named "." or "..": URL parsers drop dot segments (WHATWG URL, which pg-connection-string uses
    // too, reads `/.`, `/%2e` and `/..` as an empty path), so no driver would reach it by URL.
    const dotSegment = /^[^?#]*:\/\/[^/?#]*\/(?:\.|%2e){1,2}(?:[?#]|$)/i.test(trimmed);
    throw dotSegment
      ? invalid(
          source,
          'names the database "." or ".."',
          'URL parsers drop such a path (pg reaches the default database instead): rename the database.',
          url,
        )
      : invalid(source, 'names no database', 'Add it after the host, e.g. .../fly-db.', url);
  }
  return url;
}

// pg accepts a URL without a host when ?host= names one (a Unix socket): `postgresql://u@/db?host=/run`.
// The WHATWG parser refuses `@/`, so pg parses it with a placeholder host (pg-connection-string 2.14
// index.js: `str.replace('@/', '@___DUMMY___/')`); so does this, and hrefOf() takes it out again.
const NO_HOST = '___mpgkit_no_host___';

function parseLikePg(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    try {
      return text.includes('@/') ? new URL(text.replace('@/', `@${NO_HOST}/`)) : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * The URL's host, or `''` for a host-less URL (`postgresql://u@/db?host=/run`).
 *
 * @example
 * ```ts
 * hostOf(parseConnectionUrl('postgresql://u@/db?host=/run')); // ''
 * ```
 */
export function hostOf(url: URL): string {
  return url.hostname === NO_HOST ? '' : url.hostname;
}

/**
 * The URL's text as a driver should get it (a host-less URL keeps its `@/`).
 *
 * @example
 * ```ts
 * hrefOf(parseConnectionUrl('postgresql://u@/db?host=/run')); // 'postgresql://u@/db?host=/run'
 * ```
 */
export function hrefOf(url: URL): string {
  return url.href.replace(`@${NO_HOST}/`, '@/');
}

function decodable(text: string): boolean {
  return decoded(text) !== undefined;
}

// The decoded text, or undefined when the escapes are broken. The result is used, never only the throw:
// a bundler drops a call to a built-in whose result is unused as free of side effects (tsdown did, and the
// built package threw a raw URIError where the source gave INVALID_CONNECTION_URL).
function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function invalid(source: string, problem: string, fix: string, url?: URL): MpgkitError {
  const shown = url === undefined ? '' : ` (${redactUrl(url)})`;
  return new MpgkitError(MpgkitErrorCode.InvalidConnectionUrl, `${source}${shown} ${problem}. ${fix}`, {
    details: { source },
  });
}

/**
 * The database a URL names (percent-decoded), or `''` when it names none.
 *
 * @example
 * ```ts
 * databaseOf(new URL('postgresql://u@h/fly-db')); // 'fly-db'
 * ```
 */
export function databaseOf(url: URL): string {
  const path = url.pathname.startsWith('/') ? url.pathname.slice(1) : url.pathname;
  return decoded(path) ?? path;
}
