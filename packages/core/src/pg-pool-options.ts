import type { PgPoolConfig } from './pg-driver.ts';
import { applicationNameFor, type Policy, requireDirectUrl } from './policy.ts';
import { redactWhenPrinted } from './redact.ts';
import { toNodePostgresSsl } from './tls-driver-options.ts';

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
  const target = options.target ?? 'pooled';
  const connectionString = target === 'direct' ? requireDirectUrl(policy) : policy.urls.pooled;
  const tls = target === 'direct' ? policy.tls.direct : policy.tls.pooled;
  // Printing the config (console.log, JSON) shows the URL redacted; pg reads the real one.
  return redactWhenPrinted(
    {
      connectionString,
      max: options.max ?? (target === 'direct' ? 1 : policy.poolSize),
      maxLifetimeSeconds: policy.maxLifetimeSeconds,
      idleTimeoutMillis: Math.round(policy.idleTimeoutSeconds * 1000),
      connectionTimeoutMillis: Math.round(policy.connectTimeoutSeconds * 1000),
      application_name: applicationNameFor(policy, options.role),
      // Always set: with `ssl` unset pg would read PGSSLMODE its own way (pg connection-parameters.js).
      ssl: tls === undefined ? false : toNodePostgresSsl(tls),
    },
    policy.redact,
  );
}
