import { classifyError, defineDatabase } from '@mpgkit/core';
import { type Stack, scaledPolicyOptions, startStack } from '@mpgkit/test-infra';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresJsOptions, postgresJsUrl } from '../src/postgres-js.ts';

// The login cut of conformance scenario 7, with its negative control in the same run: PgBouncer stopped
// behind the proxy, which accepts each connection and closes it cleanly. postgres.js on its own holds the
// query forever (porsager/postgres#1193); through postgresJsOptions' socket it fails at once, in the connect
// phase. On a stack of its own: stopping PgBouncer would disturb every other test of the project.
const WAIT_MS = 6_000;

describe('postgres.js and a login cut by a stopped PgBouncer', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.down();
  });

  it('fails in the connect phase, safe to retry; the same options without the socket get no answer', async () => {
    const policy = defineDatabase({
      ...scaledPolicyOptions(stack, 'transaction', 'login-cut'),
      logger: { warn: () => {} },
    });
    const answer = async (sql: postgres.Sql) => {
      const outcome = await Promise.race([
        sql`SELECT 1`.then(
          () => 'answered',
          (error: unknown) => error,
        ),
        new Promise((resolve) => setTimeout(() => resolve('no answer'), WAIT_MS)),
      ]);
      await sql.end({ timeout: 0.1 }).catch(() => undefined);
      return outcome;
    };
    const { socket: _socket, ...stock } = postgresJsOptions(policy) as { socket?: unknown };
    await stack.stop('transaction');
    try {
      const [withSocket, without] = await Promise.all([
        answer(postgres(postgresJsUrl(policy), postgresJsOptions(policy))),
        answer(postgres(postgresJsUrl(policy), stock as postgres.Options<Record<string, never>>)),
      ]);
      expect(classifyError(withSocket)).toMatchObject({ phase: 'connect', retrySafe: true });
      expect(String((withSocket as Error).message)).toMatch(/closed before the server answered the login/);
      expect(without).toBe('no answer');
    } finally {
      await stack.start('transaction');
    }
  });
});
