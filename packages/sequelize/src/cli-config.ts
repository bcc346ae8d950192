import type { Policy } from '@mpgkit/core';
import type { Options } from 'sequelize';
import { type SequelizeOptions, sequelizeMigrationOptions } from './driver-options.ts';

/**
 * One environment's entry of sequelize-cli's `config/config.js` (`npx sequelize-cli db:migrate`): the
 * direct URL, one connection, the policy's TLS. sequelize-cli reads the entry of the current environment and
 * builds `new Sequelize(entry)` from it (sequelize-cli 6.6 lib/helpers/config-helper.js `readConfig`,
 * lib/core/migrator.js `getSequelizeInstance`).
 *
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```js
 * // config/config.js
 * module.exports = { production: sequelizeCliConfig(policy) };
 * ```
 */
export function sequelizeCliConfig(policy: Policy, options: SequelizeOptions = {}): Options {
  return sequelizeMigrationOptions(policy, options);
}
