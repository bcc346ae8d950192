import { inspect } from 'node:util';
import { defineDatabase } from '@mpgkit/core';
import { expect, it } from 'vitest';
import { drizzleKitConfig } from './drizzle-kit-config.ts';

const policy = defineDatabase({
  env: { DATABASE_URL: 'postgresql://u:Zq9-secret@pgbouncer.c1.flympg.net/fly-db' },
  logger: { warn() {} },
});

it('points drizzle-kit at the direct URL and keeps the rest of the config', () => {
  expect(drizzleKitConfig(policy, { schema: './src/schema.ts', out: './drizzle' })).toEqual({
    schema: './src/schema.ts',
    out: './drizzle',
    dialect: 'postgresql',
    dbCredentials: { url: 'postgresql://u:Zq9-secret@direct.c1.flympg.net/fly-db' },
  });
});

it('prints the URL redacted, while drizzle-kit reads the real one', () => {
  const config = drizzleKitConfig(policy);
  expect(inspect(config, { depth: null })).not.toContain('Zq9-secret');
  expect(JSON.stringify(config)).not.toContain('Zq9-secret');
  expect(config.dbCredentials.url).toContain('Zq9-secret');
});
