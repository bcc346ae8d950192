import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

// A CommonJS app loads the built package through require(esm) (Node ≥ 22.13).
it('can be require()d from CommonJS', async () => {
  const script = `
    const { prismaAdapter, prisma6Urls, prismaConfig } = require('@mpgkit/prisma');
    const { PrismaPg } = require('@prisma/adapter-pg');
    const { defineDatabase } = require('@mpgkit/core');
    const policy = defineDatabase({ env: { DATABASE_URL: 'postgresql://u:p@pgbouncer.c1.flympg.net/fly-db' }, poolMode: 'transaction' });
    const adapter = prismaAdapter(policy, PrismaPg);
    process.stdout.write([adapter.constructor.name, new URL(prisma6Urls(policy).url).searchParams.get('pgbouncer'), prismaConfig(policy).datasource.url.includes('direct.c1')].join(' '));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    cwd: new URL('..', import.meta.url),
  });
  expect(stdout).toBe('PrismaPgAdapterFactory true true');
});
