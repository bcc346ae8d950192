import { type Policy, requireDirectUrl } from '@mpgkit/core';

/**
 * `dbCredentials` for `drizzle.config.ts`: the **direct** URL, so `drizzle-kit migrate` / `push` never
 * run through PgBouncer.
 *
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * // drizzle.config.ts
 * export default defineConfig({ dialect: 'postgresql', schema: './src/schema.ts', dbCredentials: drizzleKitCredentials(policy) });
 * ```
 */
export function drizzleKitCredentials(policy: Policy): { url: string } {
  return { url: requireDirectUrl(policy, 'drizzle-kit') };
}
