// The release command. TypeORM's migrations take no lock: runMigrations holds one, so overlapping deploys
// migrate once.
import { runMigrations } from '@mpgkit/typeorm';
import migrationDataSource from './data-source.ts';
import { policy } from './db-policy.ts';

const applied = await runMigrations(policy, migrationDataSource);
console.log(
  `migrations applied (direct URL): ${applied.map((migration) => migration.name).join(', ') || 'none pending'}`,
);
