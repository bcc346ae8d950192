// The release command: knex's migrator on the direct URL, one connection (its lock row and any session lock a
// migration takes stay on one real session).
import path from 'node:path';
import { runMigrations } from '@mpgkit/knex';
import { policy } from './db-policy.ts';

const [batch, log] = await runMigrations(policy, {
  directory: path.join(import.meta.dirname, 'migrations'),
  loadExtensions: ['.ts'],
  tableName: 'knex_example_migrations',
});
console.log(log.length === 0 ? 'migrations: up to date' : `migrations (batch ${batch}): ${log.join(', ')}`);
