import type { Policy } from '@mpgkit/core';
import { applicationNameFor, redactWhenPrinted } from '@mpgkit/core/adapter';
import { Sequelize } from 'sequelize';
import { type SequelizeOptions, sequelizeMigrationOptions, sequelizeOptions } from './driver-options.ts';
import { instrumentSequelizePool } from './pool-metrics.ts';

/**
 * The app's Sequelize instance on {@link sequelizeOptions}: pooled URL, the policy's pool and lifetime.
 *
 * @example
 * ```ts
 * export const sequelize = createSequelize(policy);
 * ```
 */
export function createSequelize(policy: Policy, options: SequelizeOptions = {}): Sequelize {
  const settings = sequelizeOptions(policy, options);
  const sequelize = printedRedacted(new Sequelize(settings), policy);
  if (policy.meter !== undefined) {
    instrumentSequelizePool(sequelize, policy.meter, {
      poolName:
        (settings.dialectOptions as { application_name?: string } | undefined)?.application_name ??
        applicationNameFor(policy),
      minLifetimeMs: policy.lifetime.minSeconds * 1000,
      idleTimeoutMs: settings.pool?.idle,
      perQuery: policy.perQueryMetrics,
    });
  }
  return sequelize;
}

/**
 * A Sequelize instance on {@link sequelizeMigrationOptions}, for migrations and other session work.
 *
 * @example
 * ```ts
 * const migrations = createMigrationSequelize(policy);
 * ```
 */
export function createMigrationSequelize(policy: Policy, options: SequelizeOptions = {}): Sequelize {
  return printedRedacted(new Sequelize(sequelizeMigrationOptions(policy, options)), policy);
}

// Sequelize builds its own copies of the options (sequelize 6.37 lib/sequelize.js: `this.options = {...}`,
// `this.config = { password: ... }`), without sequelizeOptions' redaction hooks: put them on the copies.
function printedRedacted(sequelize: Sequelize, policy: Policy): Sequelize {
  for (const copy of [sequelize.config, (sequelize as unknown as { options?: object }).options]) {
    if (typeof copy === 'object' && copy !== null) redactWhenPrinted(copy, policy.redact);
  }
  return sequelize;
}
