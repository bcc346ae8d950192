import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { attachStack } from '@mpgkit/test-infra';
import { expect, inject, it } from 'vitest';

const stack = attachStack(inject('mpgkitStack'));

it('a CommonJS (NestJS-style) app require()s the package and builds a working DataSource against the stack', async () => {
  await stack.admin('CREATE TABLE IF NOT EXISTS cjs_notes (id serial PRIMARY KEY, body text)', [], 'fly-db');
  await stack.admin('ALTER TABLE cjs_notes OWNER TO "fly-user"', [], 'fly-db');
  const fixture = fileURLToPath(new URL('./fixtures/nest-style-app.cjs', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [fixture], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, ...stack.envFor('transaction') },
  });
  expect(JSON.parse(stdout)).toEqual({ body: 'from CommonJS' });
});

it('TypeORM queries go through the transaction-mode guard (extra.Client)', async () => {
  const { defineDatabase } = await import('@mpgkit/core');
  const { DataSource } = await import('typeorm');
  const { typeormOptions } = await import('../src/index.ts');
  const policy = defineDatabase({
    env: stack.envFor('transaction'),
    poolMode: 'transaction',
    transactionModeGuard: 'throw',
    logger: { warn() {} },
  });
  const dataSource = await new DataSource(typeormOptions(policy)).initialize();
  try {
    await expect(dataSource.query('LISTEN jobs')).rejects.toMatchObject({
      message: expect.stringContaining('LISTEN cannot work through a transaction-mode PgBouncer'),
    });
    expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  } finally {
    await dataSource.destroy();
  }
});
