import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('can be require()d from CommonJS, every entry point', async () => {
  const script = `
    const { drizzleKitConfig } = require('@mpgkit/drizzle');
    const { createDrizzle } = require('@mpgkit/drizzle/node-postgres');
    const { postgresJsOptions } = require('@mpgkit/drizzle/postgres-js');
    const { defineDatabase } = require('@mpgkit/core');
    const policy = defineDatabase({ env: { DATABASE_URL: 'postgresql://u:p@pgbouncer.c1.flympg.net/fly-db' }, poolMode: 'transaction' });
    const db = createDrizzle(policy);
    process.stdout.write([drizzleKitConfig(policy).dbCredentials.host === 'direct.c1.flympg.net', postgresJsOptions(policy).prepare, typeof db.execute].join(' '));
    db.$client.end();
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    cwd: new URL('..', import.meta.url),
  });
  expect(stdout).toBe('true false function');
});
