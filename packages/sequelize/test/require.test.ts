import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

// A CommonJS app loads the built package through require(esm) (Node ≥ 22.13).
it('can be require()d from CommonJS', async () => {
  const script = `
    const { sequelizeOptions, runMigrations } = require('@mpgkit/sequelize');
    const { defineDatabase } = require('@mpgkit/core');
    const policy = defineDatabase({ env: { DATABASE_URL: 'postgresql://u:p@pgbouncer.c1.flympg.net/fly-db' } });
    const options = sequelizeOptions(policy);
    process.stdout.write(options.dialect + ' ' + typeof runMigrations);
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    cwd: new URL('..', import.meta.url),
  });
  expect(stdout).toBe('postgres function');
});
