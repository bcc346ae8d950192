import type { Policy } from '@mpgkit/core';
import {
  type Endpoint,
  hardenedPgClient,
  instrumentPgPool,
  type MeterLike,
  type NodeTlsOptions,
  type PgPoolMetricsOptions,
  type PolicyLogger,
  pgSslOf,
  type ResolvedTls,
  redactWhenPrinted,
  resolveEndpoint,
} from '@mpgkit/core/adapter';
import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';

/** TypeORM's Postgres DataSource options (`type: 'postgres'`). */
export type PostgresOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

/** What callers may override: anything but the driver type. */
export type PostgresOverrides = Partial<Omit<PostgresOptions, 'type'>>;

/** The node-postgres pool options TypeORM forwards through `extra` (applied last, over everything). */
interface PoolExtra {
  max?: number;
  maxLifetimeSeconds?: number;
  idleTimeoutMillis?: number;
  connectionTimeoutMillis?: number;
  [key: string]: unknown;
}

/**
 * DataSource options for the app: the **pooled** URL, `poolSize` from the budget, `connectTimeoutMS`,
 * `applicationName`, and in `extra` the lifetime (within the drain window) and idle timeout, which
 * TypeORM has no typed options for. TypeORM 0.3/1.x build the pg Pool as
 * `Object.assign({ connectionString, max, application_name, connectionTimeoutMillis, ... }, extra)`
 * (typeorm 1.1.1 driver/postgres/PostgresDriver.js `createPool`), so `extra` wins: an override that
 * weakens a safety setting (longer or no lifetime, longer or no idle timeout, a bigger pool than the
 * budget) is ignored with a warning; one that tightens it is kept. Statements are never named. In
 * transaction mode the transaction-mode guard (policy.transactionModeGuard) rides on `extra.Client`.
 *
 * @example
 * ```ts
 * export const dataSource = new DataSource({ ...typeormOptions(policy), entities: [User] });
 * ```
 */
export function typeormOptions(policy: Policy, overrides: PostgresOverrides = {}): PostgresOptions {
  return optionsOn(policy, resolveEndpoint(policy), policy.poolSize, overrides);
}

/** @internal Options on an endpoint: the one helper every entry builds on. */
export function optionsOn(
  policy: Policy,
  endpoint: Endpoint,
  poolSize: number,
  overrides: PostgresOverrides,
): PostgresOptions {
  const warn = (message: string) => policy.logger.warn(`[mpgkit] TypeORM ${message}`);
  const extra: PoolExtra = { ...((overrides.extra as PoolExtra | undefined) ?? {}) };
  const safe: Required<
    Pick<PoolExtra, 'max' | 'maxLifetimeSeconds' | 'idleTimeoutMillis' | 'connectionTimeoutMillis'>
  > = {
    max: keepTighter(warn, 'pool size', poolSize, overrides.poolSize ?? extra.max),
    maxLifetimeSeconds: keepTighter(
      warn,
      'extra.maxLifetimeSeconds',
      policy.maxLifetimeSeconds,
      extra.maxLifetimeSeconds,
    ),
    idleTimeoutMillis: keepTighter(
      warn,
      'extra.idleTimeoutMillis',
      policy.idleTimeoutSeconds * 1000,
      extra.idleTimeoutMillis,
    ),
    connectionTimeoutMillis: keepTighter(
      warn,
      'connection timeout',
      policy.connectTimeoutSeconds * 1000,
      overrides.connectTimeoutMS ?? extra.connectionTimeoutMillis,
    ),
  };
  // Printing the options (console.log, JSON) shows the URL redacted; TypeORM reads the real one.
  return redactWhenPrinted(
    {
      ...overrides,
      type: 'postgres',
      url: overrides.url ?? endpoint.url,
      poolSize: safe.max,
      connectTimeoutMS: safe.connectionTimeoutMillis,
      applicationName: overrides.applicationName ?? endpoint.applicationName,
      // TypeORM hands `ssl` to pg as is (typeorm 1.1 PostgresDriver.createPool: `ssl: credentials.ssl`).
      ssl: sslOption(warn, endpoint.tls, overrides.ssl),
      // TypeORM builds its own pg Pool, which takes pg-pool's `Client` option (an app's own `extra.Client`
      // wins): every connection gets mpgkit's protections from it.
      extra: {
        Client: hardenedPgClient(policy, pg.Client, {
          ...endpoint,
          connectTimeoutMs: safe.connectionTimeoutMillis,
        }),
        ...extra,
        ...safe,
      },
      ...(policy.meter !== undefined && overrides.driver === undefined
        ? {
            driver: measuredPg(policy.meter, {
              minLifetimeMs: safe.maxLifetimeSeconds * 1000,
              perQuery: policy.perQueryMetrics,
            }),
          }
        : {}),
    } as PostgresOptions,
    policy.redact,
  );
}

// TypeORM builds its pool with `new this.postgres.Pool(options)`, `postgres` being its `driver` option when given
// (typeorm 1.1.1 driver/postgres/PostgresDriver.js loadDependencies, createPool). With a meter, the driver is pg
// itself but for a Pool that reports its metrics; pg's other exports (types, defaults) are inherited.
function measuredPg(meter: MeterLike, options: PgPoolMetricsOptions): typeof pg {
  class MeasuredPool extends pg.Pool {
    constructor(config?: pg.PoolConfig) {
      super(config);
      instrumentPgPool(this, meter, options);
    }
  }
  return Object.create(pg, { Pool: { value: MeasuredPool } });
}

// An explicit `ssl` override wins (it may add client certificates or ciphers), but one that drops the
// verification the policy asks for is named at startup.
function sslOption(
  warn: PolicyLogger['warn'],
  tls: ResolvedTls | undefined,
  override: PostgresOverrides['ssl'],
): PostgresOverrides['ssl'] | false | NodeTlsOptions {
  const policySsl = pgSslOf({ tls }, 'TypeORM (pg)');
  if (override === undefined) return policySsl;
  const verifies = (ssl: unknown) =>
    ssl === true ||
    (typeof ssl === 'object' && ssl !== null && (ssl as NodeTlsOptions).rejectUnauthorized !== false);
  if (policySsl !== false && verifies(policySsl) && !verifies(override)) {
    warn(
      `ssl override turns off the certificate check the policy asks for (tls ${tls?.mode} to ${tls?.host}).`,
    );
  }
  return override;
}

// A limit where 0 (or nothing) means "no limit": the smaller positive value is the safer one.
function keepTighter(
  warn: PolicyLogger['warn'],
  name: string,
  policyValue: number,
  override: number | undefined,
): number {
  if (override === undefined) return policyValue;
  if (override > 0 && override <= policyValue) return override;
  warn(`${name} ${override} would weaken the policy (${policyValue}); keeping ${policyValue}.`);
  return policyValue;
}
