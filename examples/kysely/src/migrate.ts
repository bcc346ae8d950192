// The release command: migrations on the direct URL (Kysely's Migrator takes a session advisory lock).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runMigrations } from '@mpgkit/kysely';
import { FileMigrationProvider, Migrator } from 'kysely/migration';
import { policy } from './db-policy.ts';

const result = await runMigrations(policy, Migrator, {
  provider: new FileMigrationProvider({
    fs,
    path,
    migrationFolder: path.join(import.meta.dirname, 'migrations'),
  }),
  migrationTableName: 'kysely_example_migration',
  migrationLockTableName: 'kysely_example_migration_lock',
});
for (const migration of result.results ?? [])
  console.log(`migration ${migration.migrationName}: ${migration.status}`);
