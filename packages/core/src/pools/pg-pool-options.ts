import type { PgPoolConfig } from '../driver/pg-driver.ts';
import type { Policy } from '../policy/policy.ts';
import { redactWhenPrinted } from '../redact.ts';
import { pgSslOf, resolveEndpoint } from './endpoint.ts';

/** Options of {@link toPgPoolConfig}. */
export interface PgPoolConfigOptions {
  /** Which URL: the app's `pooled` one, or `direct` for migrations, locks and LISTEN. @default 'pooled' */
  target?: 'pooled' | 'direct';
  /** Pool size. @default policy.poolSize for pooled, 1 for direct (direct connections are outside the budget) */
  max?: number;
  /** Suffix for `application_name`, e.g. `'migrate'`. @default undefined */
  role?: string;
}

/**
 * Turns a {@link Policy} into node-postgres pool options: lifetime within the drain window, idle 300 s,
 * connect 5 s, the policy's pool size, application name and TLS (`ssl`). Statement-level settings
 * (`statement_timeout`, `options`) are deliberately absent: PgBouncer refuses them as startup
 * parameters (`unsupported startup parameter`); use `SET LOCAL` inside a transaction instead.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool = new pg.Pool(toPgPoolConfig(policy));
 * ```
 */
export function toPgPoolConfig(policy: Policy, options: PgPoolConfigOptions = {}): PgPoolConfig {
  const endpoint = resolveEndpoint(policy, options.target, {
    ...(options.role === undefined ? {} : { role: options.role }),
  });
  // Printing the config (console.log, JSON) shows the URL redacted; pg reads the real one.
  return redactWhenPrinted(
    {
      connectionString: endpoint.url,
      max: options.max ?? (endpoint.route === 'direct' ? 1 : policy.poolSize),
      maxLifetimeSeconds: policy.maxLifetimeSeconds,
      idleTimeoutMillis: Math.round(policy.idleTimeoutSeconds * 1000),
      connectionTimeoutMillis: endpoint.connectTimeoutMs,
      application_name: endpoint.applicationName,
      ssl: pgSslOf(endpoint),
    },
    policy.redact,
  );
}
