import type { Policy } from '@mpgkit/core';
import { redactWhenPrinted, requireDirectUrl } from '@mpgkit/core/adapter';

/** What {@link drizzleKitConfig} adds to drizzle-kit's config. */
export interface DrizzleKitDatabase {
  dialect: 'postgresql';
  dbCredentials: { url: string };
}

/**
 * The configuration drizzle-kit reads from `drizzle.config.ts`, with `dbCredentials` on the **direct**
 * URL, so `drizzle-kit migrate` / `push` never run through PgBouncer (drizzle-kit 0.31 connects with
 * `dbCredentials.url`, pg with `max: 1` or postgres.js, and takes no lock). Everything else you pass
 * (`schema`, `out`, `migrations`) is kept.
 *
 * @param config - The rest of drizzle-kit's config. @default {}
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * // drizzle.config.ts
 * import { defineConfig } from 'drizzle-kit';
 * export default defineConfig(drizzleKitConfig(policy, { schema: './src/schema.ts', out: './drizzle' }));
 * ```
 */
export function drizzleKitConfig<C extends object = Record<never, never>>(
  policy: Policy,
  config: C = {} as C,
): Omit<C, keyof DrizzleKitDatabase> & DrizzleKitDatabase {
  const url = requireDirectUrl(policy, 'drizzle-kit');
  // Printing the config shows the URL redacted; drizzle-kit reads the real one.
  return redactWhenPrinted({ ...config, dialect: 'postgresql', dbCredentials: { url } }, policy.redact);
}
