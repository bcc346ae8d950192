import { inspect } from 'node:util';
import { defineDatabase } from '@mpgkit/core';
import { expect, it } from 'vitest';
import { drizzleKitConfig } from './cli-config.ts';

const policy = defineDatabase({
  env: { DATABASE_URL: 'postgresql://u:Zq9-secret@pgbouncer.c1.flympg.net/fly-db' },
  logger: { warn() {} },
});

it("points drizzle-kit at the direct URL, with the policy's TLS, and keeps the rest of the config", () => {
  expect(drizzleKitConfig(policy, { schema: './src/schema.ts', out: './drizzle' })).toEqual({
    schema: './src/schema.ts',
    out: './drizzle',
    dialect: 'postgresql',
    dbCredentials: {
      host: 'direct.c1.flympg.net',
      user: 'u',
      password: 'Zq9-secret',
      database: 'fly-db',
      ssl: { rejectUnauthorized: true, host: 'direct.c1.flympg.net' },
    },
  });
  const local = defineDatabase({
    env: {
      DATABASE_URL: 'postgresql://u%40x:p%3Aw@127.0.0.1:6432/my%20db',
      DIRECT_DATABASE_URL: 'postgresql://u%40x:p%3Aw@127.0.0.1:5432/my%20db',
    },
    logger: { warn() {} },
  });
  expect(drizzleKitConfig(local).dbCredentials).toEqual({
    host: '127.0.0.1',
    port: 5432,
    user: 'u@x',
    password: 'p:w',
    database: 'my db',
    ssl: false,
  });
});

it('prints the URL redacted, while drizzle-kit reads the real one', () => {
  const config = drizzleKitConfig(policy);
  expect(inspect(config, { depth: null })).not.toContain('Zq9-secret');
  expect(JSON.stringify(config)).not.toContain('Zq9-secret');
  expect(config.dbCredentials.password).toBe('Zq9-secret');
});

it('without a database URL (CI) the config still loads; only reading the credentials fails, with what to set', () => {
  const undeclared = defineDatabase({ env: {}, poolMode: 'transaction', logger: { warn() {} } });
  const config = drizzleKitConfig(undeclared, { schema: './src/schema.ts', out: './drizzle' });
  expect(config).toMatchObject({ dialect: 'postgresql', schema: './src/schema.ts', out: './drizzle' });
  expect(JSON.stringify(config)).toMatch(/"dbCredentials":"\[unresolved: .*DATABASE_URL/);
  expect(inspect(config)).toMatch(/unresolved: .*DATABASE_URL/);
  expect(() => config.dbCredentials.host).toThrow(expect.objectContaining({ code: 'MISSING_ENV_VAR' }));
});
