// The release command: umzug on the direct URL, one connection, under a session advisory lock.
import path from 'node:path';
import { runMigrations } from '@mpgkit/sequelize';
import * as umzug from 'umzug';
import { policy } from './db-policy.ts';

const ran = await runMigrations(policy, umzug, {
  migrations: { glob: path.join(import.meta.dirname, 'migrations', '*.ts') },
  tableName: 'sequelize_example_meta',
});
console.log(ran.length === 0 ? 'migrations: up to date' : `migrations: ${ran.join(', ')}`);
