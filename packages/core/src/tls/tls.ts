import { MpgkitError, MpgkitErrorCode } from '../errors.ts';

// One TLS setting for every driver, with libpq's meanings (PostgreSQL docs, "SSL Support" table 34.1,
// https://www.postgresql.org/docs/16/libpq-ssl.html#LIBPQ-SSL-SSLMODE-STATEMENTS). Drivers give the same
// words other meanings: pg-connection-string 2.x treats `prefer`, `require` and `verify-ca` as
// `verify-full` unless `uselibpqcompat=true` (pg-connection-string index.js, "SECURITY WARNING"), and
// postgres.js treats `require` as "encrypt, don't verify" (postgres 3.4.9 src/connection.js `secure()`).
// So mpgkit reads the words once, here, and every adapter turns the result into its driver's own options
// (tls-driver-options.ts); the `ssl*` parameters are taken out of the URLs drivers get.

/**
 * How a connection uses TLS, with libpq's meanings:
 * - `disable`: plaintext.
 * - `prefer`: TLS when the server offers it, else plaintext; the certificate is not checked. Only
 *   postgres.js can fall back; pg-based adapters refuse it.
 * - `require`: TLS or no connection; the certificate is not checked (stops eavesdroppers, not impostors).
 * - `verify-ca`: TLS, and the certificate must chain to a trusted CA.
 * - `verify-full`: as `verify-ca`, and the certificate must name the host connected to.
 */
export type TlsMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/**
 * Every {@link TlsMode}, weakest first.
 *
 * @example
 * ```ts
 * TLS_MODES.includes('verify-full'); // true
 * ```
 */
export const TLS_MODES: readonly TlsMode[] = Object.freeze([
  'disable',
  'prefer',
  'require',
  'verify-ca',
  'verify-full',
]);

/** The `tls` option of `defineDatabase`: a mode, or a mode and the CA to verify against. */
export interface TlsOptions {
  /** @default 'verify-full' for a remote host, 'disable' for a local one (loopback, Unix socket) */
  mode?: TlsMode;
  /**
   * The CA certificate(s) to verify the server against: a PEM text or the path of a PEM file (libpq's
   * `sslrootcert`). Without it, Node's trusted roots are used.
   * @default undefined
   */
  ca?: string;
}

/** Where a URL's TLS mode came from. */
export type TlsSource = 'option' | 'url' | 'env' | 'default';

/** The TLS a connection to one URL will use. Adapters turn it into driver options. */
export interface ResolvedTls {
  readonly mode: TlsMode;
  /** PEM text of the CA, when one was given. */
  readonly ca: string | undefined;
  /** The CA file's path, when it was given as one (Prisma's engine reads the file itself). */
  readonly caPath: string | undefined;
  readonly source: TlsSource;
  /** The host the certificate must name under `verify-full`. */
  readonly host: string;
  /** True for loopback hosts and Unix sockets, where `disable` is the default and no warning is given. */
  readonly local: boolean;
}

/**
 * Query parameters about TLS. mpgkit reads them and removes them from the URLs drivers get, since each
 * driver would read them its own way (pg lets them override the `ssl` option).
 *
 * @example
 * ```ts
 * TLS_URL_PARAMS.includes('sslmode'); // true
 * ```
 */
export const TLS_URL_PARAMS: readonly string[] = Object.freeze([
  'ssl',
  'sslmode',
  'sslrootcert',
  'uselibpqcompat',
  'sslnegotiation',
]);

// Client certificates: MPG authenticates with passwords; mpgkit does not pass them on, so it refuses them
// rather than drop them silently.
const CLIENT_CERT_PARAMS = ['sslcert', 'sslkey', 'sslpassword', 'sslcrl', 'sslcrldir'];

const URL_MODE_ALIASES: Readonly<Record<string, TlsMode>> = {
  // pg's own word (pg connection-parameters.js): encrypt without verifying, i.e. libpq's `require`.
  'no-verify': 'require',
};

/**
 * Resolves the TLS of one URL: the `tls` option, else the URL's `sslmode` / `sslrootcert` (or `ssl=true`),
 * else libpq's `PGSSLMODE` / `PGSSLROOTCERT`, else the default (`verify-full` for a remote host, `disable`
 * for loopback and Unix sockets). An option and a URL that disagree are an error naming both.
 *
 * @param url - The parsed URL (its `ssl*` parameters are read, not removed).
 * @param source - What to call the URL in errors, e.g. `'DATABASE_URL'`.
 * @throws {MpgkitError} `INVALID_OPTION` on an unknown mode, a conflict, an unreadable CA or client
 * certificate parameters.
 * @example
 * ```ts
 * resolveTls(new URL('postgresql://u@pgbouncer.c1.flympg.net/db'), undefined, {}, 'DATABASE_URL').mode;
 * // 'verify-full'
 * ```
 */
export function resolveTls(
  url: URL,
  option: TlsMode | TlsOptions | undefined,
  env: Readonly<Record<string, string | undefined>>,
  source: string,
): ResolvedTls {
  // IPv6 literals without their URL brackets: what tls.checkServerIdentity compares with IP SANs.
  // The host the drivers dial: ?host= when given (pg's rule; parseConnectionUrl refuses a URL whose two
  // hosts disagree), decoded, since pg reads a percent-encoded socket directory as one
  // (pg-connection-string 2.14: `config.host = decodeURIComponent(hostname)`).
  const host = withoutBrackets(decodedHost(lastParam(url, 'host') ?? url.hostname));
  const local = isLocalHost(host);
  for (const name of CLIENT_CERT_PARAMS) {
    if (url.searchParams.has(name)) {
      throw tlsError(
        `${source} sets ${name}: client certificates are not supported by mpgkit (MPG logs in with passwords). ` +
          `Remove ${name} from the URL.`,
        source,
      );
    }
  }
  const fromOption = typeof option === 'string' ? { mode: option } : (option ?? {});
  const optionMode =
    fromOption.mode === undefined ? undefined : parseTlsMode(fromOption.mode, 'the tls option');
  const urlMode = modeFromUrl(url, source);
  if (optionMode !== undefined && urlMode !== undefined && optionMode !== urlMode) {
    throw tlsError(
      `The tls option says '${optionMode}' but ${source} says sslmode=${urlMode}. Set it in one place ` +
        '(remove sslmode from the URL, or the tls option).',
      source,
    );
  }
  const envText = nonEmpty(env.PGSSLMODE);
  const envMode =
    envText === undefined ? undefined : parseTlsMode(URL_MODE_ALIASES[envText] ?? envText, 'PGSSLMODE');
  // The first source that names a mode wins; without one, the default for the host.
  const [mode, modeSource]: [TlsMode, TlsSource] =
    optionMode !== undefined
      ? [optionMode, 'option']
      : urlMode !== undefined
        ? [urlMode, 'url']
        : envMode !== undefined
          ? [envMode, 'env']
          : [local ? 'disable' : 'verify-full', 'default'];

  const urlCa = nonEmpty(lastParam(url, 'sslrootcert'));
  if (fromOption.ca !== undefined && urlCa !== undefined && fromOption.ca !== urlCa) {
    throw tlsError(
      `The tls option's ca and ${source}'s sslrootcert name different CAs. Set the CA in one place.`,
      source,
    );
  }
  // libpq 16: sslrootcert=system means "the system's trusted roots", Node's default.
  const caSetting = fromOption.ca ?? urlCa ?? nonEmpty(env.PGSSLROOTCERT);
  const { ca, caPath } =
    caSetting === undefined || caSetting === 'system'
      ? { ca: undefined, caPath: undefined }
      : readCa(caSetting);
  return Object.freeze({ mode, ca, caPath, source: modeSource, host, local });
}

/**
 * Parses a TLS mode.
 *
 * @param source - What to call the value in the error. @default 'tls'
 * @throws {MpgkitError} `INVALID_OPTION` listing the modes.
 * @example
 * ```ts
 * parseTlsMode('verify-full'); // 'verify-full'
 * ```
 */
export function parseTlsMode(value: string, source = 'tls'): TlsMode {
  if ((TLS_MODES as readonly string[]).includes(value)) return value as TlsMode;
  const hint =
    value === 'allow'
      ? " libpq's 'allow' (plaintext first) is not supported: use 'prefer' or 'disable'."
      : '';
  throw tlsError(
    `${source} is '${String(value).slice(0, 20)}', which is not a TLS mode. Use one of: ${TLS_MODES.join(', ')}.${hint}`,
    source,
  );
}

/**
 * Whether a host is this machine (loopback or a Unix socket directory), where TLS adds nothing: `fly mpg
 * proxy` and a local Postgres listen there in plaintext.
 *
 * @example
 * ```ts
 * isLocalHost('127.0.0.1'); // true
 * isLocalHost('pgbouncer.c1.flympg.net'); // false
 * ```
 */
export function isLocalHost(host: string): boolean {
  const name = withoutBrackets(host.toLowerCase());
  return (
    name === '' ||
    name.startsWith('/') ||
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '::1' ||
    (name.startsWith('127.') && /^127(?:\.\d{1,3}){3}$/.test(name))
  );
}

// A parameter given twice counts as its last value, as libpq reads a URI (later settings override earlier
// ones) and as pg-connection-string and postgres.js do (each assigns every entry in order).
function lastParam(url: URL, name: string): string | undefined {
  return url.searchParams.getAll(name).at(-1);
}

function decodedHost(host: string): string {
  if (!host.includes('%')) return host;
  try {
    return decodeURIComponent(host);
  } catch {
    return host;
  }
}

// String operations, not a pattern, on the path of every defineDatabase: V8 compiles a regular expression on
// its first run and again, to machine code, on its second (`--regexp-tier-up-ticks=1`, node --v8-options).
function withoutBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * The warning a weakened TLS setting earns: any mode short of `verify-full` on a remote host. `undefined`
 * when there is nothing to say.
 *
 * @example
 * ```ts
 * tlsWarning(policy.tls.pooled, 'DATABASE_URL');
 * ```
 */
export function tlsWarning(tls: ResolvedTls, source: string): string | undefined {
  if (tls.local || tls.mode === 'verify-full') return undefined;
  const what: Record<Exclude<TlsMode, 'verify-full'>, string> = {
    disable: 'is plaintext: passwords and data cross the network unencrypted',
    prefer: 'may fall back to plaintext, and the certificate is not checked',
    require: 'is encrypted, but the certificate is not checked, so an impostor could answer',
    'verify-ca': 'checks the CA but not the host name, so another server of the same CA could answer',
  };
  const setBy =
    tls.source === 'option' ? 'the tls option' : tls.source === 'url' ? `${source}'s sslmode` : 'PGSSLMODE';
  return (
    `TLS to ${tls.host} (${setBy}: ${tls.mode}) ${what[tls.mode]}. Use 'verify-full' (with tls.ca or ` +
    "sslrootcert if the server's CA is private) unless this network is private."
  );
}

function modeFromUrl(url: URL, source: string): TlsMode | undefined {
  const sslmode = nonEmpty(lastParam(url, 'sslmode'));
  if (sslmode !== undefined) {
    const mode = parseTlsMode(URL_MODE_ALIASES[sslmode] ?? sslmode, `${source}'s sslmode`);
    return mode;
  }
  // pg and postgres.js read `ssl=true` (verify) and `ssl=false`; libpq does not know it.
  const ssl = nonEmpty(lastParam(url, 'ssl'));
  if (ssl === undefined) return undefined;
  if (ssl === 'true' || ssl === '1') return 'verify-full';
  if (ssl === 'false' || ssl === '0') return 'disable';
  return parseTlsMode(URL_MODE_ALIASES[ssl] ?? ssl, `${source}'s ssl parameter`);
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----/;

function readCa(setting: string): { ca: string; caPath: string | undefined } {
  if (PEM_CERTIFICATE.test(setting)) return { ca: setting, caPath: undefined };
  // Read through process.getBuiltinModule (Node ≥ 22.3) so core imports no Node module on its startup path.
  const fs = globalThis.process?.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  let text: string;
  try {
    if (fs === undefined) throw new Error('no file system');
    text = fs.readFileSync(setting, 'utf8');
  } catch (error) {
    throw tlsError(
      `The CA file "${setting}" (tls.ca, sslrootcert or PGSSLROOTCERT) cannot be read: ` +
        `${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Give the path of a PEM file, or the PEM text.`,
      'tls.ca',
    );
  }
  if (!PEM_CERTIFICATE.test(text)) {
    throw tlsError(
      `The CA file "${setting}" holds no PEM certificate (-----BEGIN CERTIFICATE-----). Give the CA's certificate in PEM form.`,
      'tls.ca',
    );
  }
  return { ca: text, caPath: setting };
}

function tlsError(message: string, source: string): MpgkitError {
  return new MpgkitError(MpgkitErrorCode.InvalidOption, message, { details: { source } });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
