import type { Policy } from '@mpgkit/core';
import { DataSource } from 'typeorm';
import { typeormCliConfig } from './cli-config.ts';
import { type PostgresOverrides, typeormOptions } from './driver-options.ts';

/**
 * The app's DataSource on {@link typeormOptions}: the pooled URL, the budget's pool size, the lifetime
 * and idle timeout in `extra`, the guard in transaction mode. Not initialized: call `initialize()`.
 *
 * @param overrides - Any DataSource option but `type` (`entities`, `logging`, ...); ones that weaken the
 * policy are ignored with a warning. @default {}
 * @example
 * ```ts
 * export const dataSource = createDataSource(policy, { entities: [User] });
 * await dataSource.initialize();
 * ```
 */
export function createDataSource(policy: Policy, overrides: PostgresOverrides = {}): DataSource {
  return new DataSource(typeormOptions(policy, overrides));
}

/**
 * A DataSource on the **direct** URL ({@link typeormCliConfig}), for migrations and session work. Not
 * initialized: call `initialize()`, or let {@link runMigrations} do it.
 *
 * @param overrides - Any DataSource option but `type` (`migrations`, `entities`, ...). @default {}
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * const migrationDataSource = createMigrationDataSource(policy, { migrations: [CreateUsers1700000000000] });
 * ```
 */
export function createMigrationDataSource(policy: Policy, overrides: PostgresOverrides = {}): DataSource {
  return new DataSource(typeormCliConfig(policy, overrides));
}
