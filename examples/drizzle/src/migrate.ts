// The release command: Drizzle's migrator on the direct URL.
import { fileURLToPath } from 'node:url';
import { runMigrations } from '@mpgkit/drizzle/node-postgres';
import { policy } from './db-policy.ts';

await runMigrations(policy, {
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
});
console.log('migrations applied (direct URL)');
