import type { Policy } from '@mpgkit/core';
import {
  connectionParts,
  type NodeTlsOptions,
  pgSslOf,
  redactWhenPrinted,
  resolveEndpoint,
} from '@mpgkit/core/adapter';

/** drizzle-kit's PostgreSQL credentials in their host form, the one that takes an `ssl` option. */
export interface DrizzleKitCredentials {
  host: string;
  port?: number;
  user?: string;
  password?: string;
  database: string;
  ssl: false | NodeTlsOptions;
}

/** What {@link drizzleKitConfig} adds to drizzle-kit's config. */
export interface DrizzleKitDatabase {
  dialect: 'postgresql';
  dbCredentials: DrizzleKitCredentials;
}

/**
 * The configuration drizzle-kit reads from `drizzle.config.ts`, with `dbCredentials` on the **direct**
 * URL, so `drizzle-kit migrate` / `push` never run through PgBouncer (drizzle-kit 0.31 connects with pg
 * (`max: 1`) or postgres.js, and takes no lock), and with the policy's TLS: the credentials are in their host
 * form because drizzle-kit passes its `ssl` option to either driver as is (an object) but reads a URL's
 * `sslmode` with each driver's own meaning (drizzle-kit 0.31.11 bin.cjs, `preparePostgresDB`). Everything
 * else you pass (`schema`, `out`, `migrations`) is kept.
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
  const endpoint = resolveEndpoint(policy, 'direct', { purpose: 'drizzle-kit' });
  const dbCredentials: DrizzleKitCredentials = {
    ...connectionParts(endpoint.url, 'the direct URL'),
    ssl: pgSslOf(endpoint, 'drizzle-kit'),
  };
  // Printing the config shows no password; drizzle-kit reads the real one.
  return redactWhenPrinted({ ...config, dialect: 'postgresql', dbCredentials }, policy.redact);
}
