/** What a redacted password is replaced with. */
export const REDACTED = '***';

// `scheme://user:secret@host` — greedy up to the last `@` within 512 characters, because users paste
// passwords with a raw `@` (the WHATWG parser also splits userinfo at the last `@`), and with raw spaces,
// tabs or line breaks, which free text keeps. It may blank a little text after a password; it never shows
// one of up to 512 characters.
const urlUserinfo = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*):([\s\S]{0,512})@/gi;
// libpq key/value strings (`host=... password=secret`).
const passwordPair = /\b(password|passwd|pwd|sslpassword)(\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]+)/gi;
// URL query parameters, whose keys may be percent-encoded: pg-connection-string reads every parameter
// through URLSearchParams, which decodes keys, so `?pass%77ord=secret` is a password to pg
// (pg-connection-string 2.14 index.js: `config[entry[0]] = entry[1]`, then `config.password ||`).
const queryParam = /([?&;])([^=&#\s]+)=([^&#\s]*)/g;
const PASSWORD_KEY = /^(?:ssl)?(?:password|passwd|pwd)$/i;
// Option fields that hold a password (pg's and Sequelize's `password`, postgres.js's `pass`).
const PASSWORD_FIELD = /^(?:ssl)?(?:password|passwd|pwd|pass)$/i;

/**
 * Removes passwords from any text: URLs with userinfo, `password=` pairs and URL parameters (their keys
 * decoded, as drivers read them), and each of `secrets` wherever it appears (raw or percent-encoded).
 * Use it on anything that may be printed.
 *
 * @param secrets - Known secrets to remove as well. @default []
 * @example
 * ```ts
 * redact('connect postgres://app:s3cret@db/app failed'); // 'connect postgres://app:***@db/app failed'
 * ```
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let result = text
    .replace(urlUserinfo, `$1:${REDACTED}@`)
    .replace(passwordPair, `$1$2${REDACTED}`)
    .replace(queryParam, (whole, separator: string, key: string) =>
      PASSWORD_KEY.test(decodeSafe(key)) ? `${separator}${key}=${REDACTED}` : whole,
    );
  for (const secret of secrets) {
    // Very short secrets would blank out ordinary words; in a URL, redactUrl masks them by position.
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      result = result.split(form).join(REDACTED);
    }
  }
  return result;
}

/**
 * A connection URL with its passwords replaced by `***`, safe to print and log: the userinfo password and
 * every password parameter (`?password=`, `?pass%77ord=`, `?sslpassword=`). User, host and database stay
 * readable, even when the password happens to equal one of them.
 *
 * @example
 * ```ts
 * redactUrl('postgresql://fly-user:pw@pgbouncer.c.flympg.net/fly-db');
 * // 'postgresql://fly-user:***@pgbouncer.c.flympg.net/fly-db'
 * ```
 */
export function redactUrl(url: string | URL): string {
  let copy: URL;
  try {
    copy = new URL(typeof url === 'string' ? url : url.href);
  } catch {
    return redact(String(url));
  }
  // A raw # ? or / in a password moves it (and the real host after its @) into the fragment, query or path,
  // where the parsed URL does not see a password: read such text as free text.
  if (/@/.test(copy.pathname + copy.search + copy.hash)) return redact(String(url));
  const secrets = secretsOf(copy);
  if (copy.password !== '') copy.password = REDACTED;
  copy.search = copy.search.replace(queryParam, (whole, separator: string, key: string) =>
    PASSWORD_KEY.test(decodeSafe(key)) ? `${separator}${key}=${REDACTED}` : whole,
  );
  // The structure is masked; a secret that also appears elsewhere in the URL (another parameter) goes too.
  const [head = '', query] = splitQuery(copy.href);
  return query === undefined ? head : `${head}?${redact(query, secrets)}`;
}

/**
 * The secrets some URLs carry, raw and decoded: userinfo passwords and the values of password
 * parameters. A secret equal to a public part of any of them (a user, host, database or port) is left
 * out, so redaction never blanks those; very short ones are left out too (they would blank ordinary
 * words), and are caught where they stand in a URL by {@link redactUrl}. @internal
 */
export function secretsOf(...urls: URL[]): string[] {
  const candidates = new Set<string>();
  const publicParts = new Set<string>();
  for (const url of urls) {
    if (url.password !== '') {
      candidates.add(url.password);
      candidates.add(decodeSafe(url.password));
    }
    for (const [key, value] of url.searchParams) {
      if (PASSWORD_KEY.test(key) && value !== '') {
        candidates.add(value);
        candidates.add(encodeURIComponent(value));
      }
    }
    for (const part of [url.username, url.hostname, url.port, url.pathname.slice(1)]) {
      publicParts.add(part);
      publicParts.add(decodeSafe(part));
    }
  }
  return [...candidates].filter((secret) => secret.length >= 4 && !publicParts.has(secret));
}

function splitQuery(href: string): [string, string | undefined] {
  const at = href.indexOf('?');
  return at === -1 ? [href, undefined] : [href.slice(0, at), href.slice(at + 1)];
}

function decodeSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Makes an options object print redacted (`console.log`, `util.inspect`, `JSON.stringify`) while the
 * driver still reads the real values from it: a hidden `toJSON` and inspect hook return a copy whose
 * strings went through `redactText`. The hooks are not enumerable, so a driver copying the options
 * (`Object.assign`, spread) never sees them; a copy you make yourself prints unredacted.
 *
 * @example
 * ```ts
 * const config = redactWhenPrinted({ connectionString: url, max: 10 }, policy.redact);
 * console.log(config); // { connectionString: 'postgresql://u:***@h/db', max: 10 }
 * ```
 */
export function redactWhenPrinted<T extends object>(value: T, redactText: (text: string) => string): T {
  const printable = () => mapStrings(value, redactText, 0);
  for (const key of ['toJSON', INSPECT]) {
    Object.defineProperty(value, key, { value: printable, enumerable: false, configurable: true });
  }
  return value;
}

function mapStrings(value: unknown, redactText: (text: string) => string, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > 6 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, redactText, depth + 1));
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value; // class instances print themselves
  // A field named as a password is masked whatever it holds: a short one is no known secret to redact().
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      PASSWORD_FIELD.test(key) && typeof item === 'string'
        ? REDACTED
        : mapStrings(item, redactText, depth + 1),
    ]),
  );
}
