import { inspect } from 'node:util';
import { isMpgkitError, MpgkitErrorCode, type Policy } from '@mpgkit/core';
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
 * else you pass (`schema`, `out`, `migrations`) is kept. Without a database URL (CI), the commands that never
 * connect (`generate`, `check`) work, and those that do fail with the policy's `MISSING_ENV_VAR`.
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
  let dbCredentials: DrizzleKitCredentials;
  try {
    const endpoint = resolveEndpoint(policy, 'direct', { purpose: 'drizzle-kit' });
    dbCredentials = {
      ...connectionParts(endpoint.url, 'the direct URL'),
      ssl: pgSslOf(endpoint, 'drizzle-kit'),
    };
  } catch (error) {
    if (!isMpgkitError(error, MpgkitErrorCode.MissingEnvVar)) throw error;
    dbCredentials = unresolvedCredentials(error);
  }
  // Printing the config shows no password; drizzle-kit reads the real one.
  return redactWhenPrinted({ ...config, dialect: 'postgresql', dbCredentials }, policy.redact);
}

// util.inspect looks past a Proxy at its target (Node lib/internal/util/inspect.js formatValue: `value =
// proxy`), so the target prints itself.
class UnresolvedCredentials {
  readonly shown: string;
  constructor(shown: string) {
    this.shown = shown;
  }
  toJSON(): string {
    return this.shown;
  }
  [inspect.custom](): string {
    return this.shown;
  }
}

// `drizzle-kit generate` (and `check`, `export`) never connect, so they must work where DATABASE_URL is unset,
// as in CI. drizzle-kit's config schema takes `dbCredentials` as `any` without reading inside it (drizzle-kit
// 0.31.11 bin.cjs configCommonSchema: `dbCredentials: anyType().optional()`); the commands that connect read
// its fields, and then get the policy's own MISSING_ENV_VAR error, which says what to set.
function unresolvedCredentials(missing: Error): DrizzleKitCredentials {
  const shown = `[unresolved: ${missing.message}]`;
  // A class instance: printing the config (redactWhenPrinted) leaves it to print itself.
  return new Proxy(new UnresolvedCredentials(shown) as unknown as DrizzleKitCredentials, {
    get(target, key) {
      if (key === 'toJSON' || key === inspect.custom || key === 'shown') return Reflect.get(target, key);
      if (typeof key === 'symbol' || key === 'then') return undefined;
      throw missing;
    },
  });
}
