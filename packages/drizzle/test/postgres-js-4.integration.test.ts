import { defineDatabase, isMpgkitError, type PoolMode } from '@mpgkit/core';
import { type Stack, startStack } from '@mpgkit/test-infra';
import { scaledPolicyOptions } from '@mpgkit/test-infra/conformance';
import postgres3 from 'postgres';
import postgres4 from 'postgres4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardPostgresJs, postgresJsOptions, postgresJsUrl } from '../src/postgres-js.ts';

// postgres.js 4 (an alias of postgres@4.2.0 beside the suite's 3.4.9) through the stack's PgBouncer 1.18 over
// TLS, as MPG is reached: ./src/postgres-js-version.ts says why it stalls and why mpgkit refuses it there.
type Options3 = postgres3.Options<Record<string, postgres3.PostgresType>>;
type Options4 = postgres4.Options<Record<string, postgres4.PostgresType>>;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.down());

const policyFor = (mode: PoolMode) =>
  defineDatabase({ ...scaledPolicyOptions(stack, mode, 'postgres-js-4'), logger: { warn() {} } });

/**
 * How many of `count` string-parameter queries, sent at once (postgres.js pipelines them on its connections),
 * are answered within 3 s.
 */
async function answered(sql: postgres3.Sql | postgres4.Sql, count: number): Promise<number> {
  const within = (query: Promise<unknown>) =>
    Promise.race([query, new Promise((resolve) => setTimeout(resolve, 3_000, 'no answer'))]);
  try {
    const rows = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        within((sql as postgres3.Sql)`SELECT ${i}::int AS n, ${`row ${i}`}::text AS s`.then((r) => r[0]?.s)),
      ),
    );
    return rows.filter((row, i) => row === `row ${i}`).length;
  } finally {
    await sql.end({ timeout: 0.2 }).catch(() => undefined);
  }
}

describe('postgres.js 4 behind PgBouncer over TLS', () => {
  it('negative control: postgres.js 4 leaves queries sent at once unanswered in transaction mode on PgBouncer 1.18 (1.24 answers); 3.4.9 answers all 8, in the same run', async () => {
    const policy = policyFor('transaction');
    // Each driver on its own sockets (postgres.js 4 sets TCP_NODELAY on them, src/socket.js connect()). On
    // mpgkit's login-cut socket, which leaves Nagle on, 4 stalled under concurrency only: timing-dependent,
    // as a lost wake-up is.
    const { socket: _mpgkitSocket, ...own } = postgresJsOptions(policy) as Record<string, unknown>;
    const options = { ...own, max: 1 } as Options3;
    const four = await answered(postgres4(postgresJsUrl(policy), options as Options4), 8);
    const three = await answered(postgres3(postgresJsUrl(policy), options), 8);
    expect(three).toBe(8);
    if ((stack.state.pgbouncerVersion ?? '1.18') === '1.18') {
      expect(four).toBeLessThan(8); // 1 in every run here: the first, then nothing
    } else {
      // PgBouncer 1.24 answers them all (the compat lane runs it): the stall is 1.18's, and MPG's version is
      // not published, so the refusal stays.
      expect(four).toBe(8);
    }
  });

  it('guardPostgresJs (and so every mpgkit postgres.js client) refuses 4 there, with what to install', () => {
    const policy = policyFor('transaction');
    const sql = postgres4(postgresJsUrl(policy), postgresJsOptions(policy) as Options4);
    let refusal: unknown;
    try {
      guardPostgresJs(sql as unknown as postgres3.Sql, policy);
    } catch (error) {
      refusal = error;
    }
    void sql.end({ timeout: 0 });
    expect(isMpgkitError(refusal) && refusal.code).toBe('UNSUPPORTED_DRIVER');
    expect((refusal as Error).message).toMatch(/npm install postgres@\^3\.4\.9/);
    // 3.4.9 on the same policy is not refused.
    const three = postgres3(postgresJsUrl(policy), postgresJsOptions(policy));
    expect(() => guardPostgresJs(three, policy)).not.toThrow();
    void three.end({ timeout: 0 });
  });

  it('in session mode postgres.js 4 answers every query, and mpgkit lets it', async () => {
    const policy = policyFor('session');
    const sql = guardPostgresJs(
      postgres4(postgresJsUrl(policy), {
        ...postgresJsOptions(policy),
        max: 1,
      } as Options4) as unknown as postgres3.Sql,
      policy,
      { transactionPooled: false },
    );
    expect(await answered(sql, 8)).toBe(8);
  });
});
