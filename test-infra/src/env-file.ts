/**
 * An env file that `set -a; . file; set +a` loads as written (and `node --env-file` too): every value in single
 * quotes, a quote inside written `'\''`. Unquoted, the `&` between a URL's query parameters would end the
 * assignment and run the rest in the background, leaving DATABASE_URL unset.
 *
 * @example
 * ```ts
 * writeFileSync(file, envFileText(stack.env()), { mode: 0o600 });
 * ```
 */
export function envFileText(env: Readonly<Record<string, string>>): string {
  return `${Object.entries(env)
    .map(([key, value]) => `${key}='${value.replaceAll("'", "'\\''")}'`)
    .join('\n')}\n`;
}
