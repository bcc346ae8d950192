// drizzle-kit (generate, migrate, push) on the direct URL, never through PgBouncer.
import { drizzleKitCredentials } from '@mpgkit/drizzle';
import { defineConfig } from 'drizzle-kit';
import { policy } from './src/db-policy.ts';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './drizzle',
  dbCredentials: drizzleKitCredentials(policy),
});
