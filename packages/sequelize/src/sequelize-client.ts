import type { Policy } from '@mpgkit/core';
import { Sequelize } from 'sequelize';
import { type SequelizeOptions, sequelizeOptions } from './sequelize-options.ts';

/**
 * The app's Sequelize instance on {@link sequelizeOptions}: pooled URL, the policy's pool and lifetime.
 *
 * @example
 * ```ts
 * export const sequelize = createSequelize(policy);
 * ```
 */
export function createSequelize(policy: Policy, options: SequelizeOptions = {}): Sequelize {
  return new Sequelize(sequelizeOptions(policy, options));
}
