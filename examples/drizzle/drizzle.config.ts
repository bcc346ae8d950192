// drizzle-kit (generate, migrate, push) on the direct URL, never through PgBouncer.
import { drizzleKitConfig } from '@mpgkit/drizzle';
import { defineConfig } from 'drizzle-kit';
import { policy } from './src/db-policy.ts';

export default defineConfig(drizzleKitConfig(policy, { schema: './src/schema.ts', out: './drizzle' }));
