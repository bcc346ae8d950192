import { classifyError, createListener, createPgPool, defineDatabase } from '@mpgkit/core';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledPolicyOptions } from '../src/conformance/scaled-policy.ts';
import { type Stack, startStack, tlsByApplication } from '../src/index.ts';

// What the drivers do with TLS on their own (the negative controls), beside what one mpgkit policy does with
// each, read from PostgreSQL's pg_stat_ssl. Scenario 8 of the conformance suite checks every adapter.

const quiet = { warn() {} };
let stack: Stack;
let required: Stack;
beforeAll(async () => {
  stack = await startStack();
  required = await startStack({ tls: 'required' });
});
afterAll(async () => {
  await Promise.all([stack?.down(), required?.down()]);
});

async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('negative controls: the same words mean different things to each driver', () => {
  it('pg, told nothing, connects in plaintext; with sslmode=require it verifies (and refuses the stack CA it was not given)', async () => {
    const plain = new pg.Client({
      connectionString: stack.url('direct'),
      application_name: 'control-pg-plain',
    });
    await plain.connect();
    expect(await tlsByApplication(stack, 'control-pg-plain')).toEqual([false]);
    await plain.end();

    const requireMode = new pg.Client({ connectionString: stack.url('direct', { tls: 'require' }) });
    const error = await failureOf(() => requireMode.connect());
    expect((error as { code?: string }).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    await requireMode.end().catch(() => undefined);
  });

  it('postgres.js with the same sslmode=require encrypts without verifying anything', async () => {
    const sql = postgres(stack.url('direct', { tls: 'require' }), {
      max: 1,
      connection: { application_name: 'control-postgresjs-require' },
      onnotice: () => undefined,
    });
    await sql`SELECT 1`;
    expect(await tlsByApplication(stack, 'control-postgresjs-require')).toEqual([true]);
    await sql.end({ timeout: 1 });
  });
});

describe('one policy, one meaning', () => {
  it("tls 'require' encrypts through pg too, and verify-full verifies against the stack's CA", async () => {
    for (const mode of ['require', 'verify-full'] as const) {
      const policy = defineDatabase({
        ...scaledPolicyOptions(stack, 'session', `policy-${mode}`),
        env: {
          DATABASE_URL: stack.url('direct'),
          DIRECT_DATABASE_URL: stack.url('direct', { bypassProxy: true }),
        },
        tls: { mode, ca: stack.state.tls.caFile },
        logger: quiet,
      });
      const pool = createPgPool(policy, pg.Pool);
      await pool.query('SELECT 1');
      expect(await tlsByApplication(stack, `policy-${mode}`)).toEqual([true]);
      await pool.end();
    }
  });

  it('the listener (LISTEN on the direct URL) verifies too', async () => {
    const policy = defineDatabase({
      ...scaledPolicyOptions(stack, 'transaction', 'tls-listener'),
      logger: quiet,
    });
    expect(policy.tls.direct?.mode).toBe('verify-full');
    const listener = await createListener(policy, pg.Client, { channels: ['tls_test'], onNotification() {} });
    try {
      expect(await tlsByApplication(stack, 'tls-listener:listen')).toEqual([true]);
    } finally {
      await listener.stop();
    }
  });
});

describe('a stack that requires TLS', () => {
  it('refuses plaintext at PgBouncer and at PostgreSQL, with errors mpgkit explains; verify-full gets through', async () => {
    for (const route of ['transaction', 'direct'] as const) {
      const plaintext = defineDatabase({
        ...scaledPolicyOptions(required, 'transaction', `required-plain-${route}`),
        env: {
          DATABASE_URL: required.url(route),
          DIRECT_DATABASE_URL: required.url('direct', { bypassProxy: true }),
        },
        logger: quiet,
      });
      expect(plaintext.tls.pooled.mode).toBe('disable'); // loopback: mpgkit's default
      const pool = createPgPool(plaintext, pg.Pool);
      const error = await failureOf(() => pool.query('SELECT 1'));
      expect(classifyError(error)).toMatchObject({ id: 'tls-required-by-server', retrySafe: false });
      await pool.end();

      const verified = defineDatabase({
        ...scaledPolicyOptions(required, 'transaction', `required-tls-${route}`),
        env: {
          DATABASE_URL: required.url(route, { tls: 'verify-full' }),
          DIRECT_DATABASE_URL: required.url('direct', { bypassProxy: true, tls: 'verify-full' }),
        },
        logger: quiet,
      });
      const tlsPool = createPgPool(verified, pg.Pool);
      expect((await tlsPool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await tlsPool.end();
    }
  });
});
