import { inspect } from 'node:util';
import { createPgPool, defineDatabase } from '@mpgkit/core';
import pg from 'pg';
import { expect, inject, it } from 'vitest';
import { assertNoPasswordPrinted } from '../../test-support/password-fuzz.ts';
import { attachStack } from '../src/stack.ts';

const stack = attachStack(inject('mpgkitStack'));

it('negative control: the fuzz finds a surface that prints the URL as given', () => {
  expect(() => assertNoPasswordPrinted((url) => ({ 'the URL itself': url }), 200)).toThrow(/Property failed/);
});

it('a pool that has connected (clients, their connection parameters) prints no password; pg alone does', async () => {
  const policy = defineDatabase({
    env: stack.envFor('transaction'),
    poolMode: 'transaction',
    logger: { warn() {} },
  });
  const pool = createPgPool(policy, pg.Pool);
  const stock = new pg.Pool({ connectionString: stack.url('transaction') });
  try {
    const held = await pool.connect();
    const stockHeld = await stock.connect();
    await held.query('SELECT 1');
    const printed = [
      inspect(pool, { depth: 6 }),
      inspect(held, { depth: 6 }),
      JSON.stringify(pool.options),
    ].join('\n');
    for (const secret of stack.secrets()) expect(printed).not.toContain(secret);
    const stockPrinted = inspect(stock, { depth: 6 });
    expect(stack.secrets().some((secret) => stockPrinted.includes(secret))).toBe(true);
    held.release();
    stockHeld.release();
  } finally {
    await pool.end();
    await stock.end();
  }
});
