/** What a redacted password is replaced with. */
export const REDACTED = '***';

// `scheme://user:secret@host` — greedy up to the last `@` of the token, because users paste passwords
// with a raw `@` and the WHATWG parser also splits userinfo at the last `@`.
const urlUserinfo = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*):([^\s]*)@/gi;
// libpq key/value strings (`host=... password=secret`) and URL parameters (`?password=secret`).
const passwordPair = /\b(password|passwd|pwd|sslpassword)(\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]+)/gi;

/**
 * Removes passwords from any text: URLs with userinfo, `password=` pairs, and each of `secrets`
 * wherever it appears (raw or percent-encoded). Use it on anything that may be printed.
 *
 * @param secrets - Known secrets to remove as well. @default []
 * @example
 * ```ts
 * redact('connect postgres://app:s3cret@db/app failed'); // 'connect postgres://app:***@db/app failed'
 * ```
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let result = text.replace(urlUserinfo, `$1:${REDACTED}@`).replace(passwordPair, `$1$2${REDACTED}`);
  for (const secret of secrets) {
    // Very short secrets would blank out ordinary words; they are caught by the patterns above.
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      result = result.split(form).join(REDACTED);
    }
  }
  return result;
}

/**
 * A connection URL with its password replaced by `***`, safe to print and log.
 *
 * @example
 * ```ts
 * redactUrl('postgresql://fly-user:pw@pgbouncer.c.flympg.net/fly-db');
 * // 'postgresql://fly-user:***@pgbouncer.c.flympg.net/fly-db'
 * ```
 */
export function redactUrl(url: string | URL): string {
  if (typeof url !== 'string') {
    const copy = new URL(url.href);
    const secret = copy.password === '' ? [] : [decodeURIComponentSafe(copy.password)];
    if (copy.password !== '') copy.password = REDACTED;
    return redact(copy.href, secret);
  }
  try {
    return redactUrl(new URL(url));
  } catch {
    return redact(url);
  }
}

/** The secrets a URL carries (its password, decoded and raw), for {@link redact}. @internal */
export function secretsOf(url: URL): string[] {
  if (url.password === '') return [];
  return [url.password, decodeURIComponentSafe(url.password)];
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
