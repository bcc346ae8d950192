import { describe, expect, it, vi } from 'vitest';
import { defineDatabase } from '../policy/policy.ts';
import { guardPgClient } from './transaction-mode-guard.ts';

// The whole corpus (every unsafe statement refused, every safe one succeeding) runs through a real
// transaction-mode PgBouncer in test-infra/test/transaction-mode-guard.integration.test.ts.

describe('guardPgClient', () => {
  const policy = (mode: 'throw' | 'warn', warn = vi.fn()) =>
    defineDatabase({
      env: { DATABASE_URL: 'postgresql://u:p@h:6432/db' },
      poolMode: 'transaction',
      transactionModeGuard: mode,
      logger: { warn },
    });

  it("'throw' rejects before the query is sent, with the fix", async () => {
    const sent: unknown[] = [];
    const client = {
      on() {},
      query: (...args: unknown[]) => {
        sent.push(args[0]);
        return Promise.resolve({ rows: [] });
      },
    };
    guardPgClient(client, policy('throw'));
    await expect(client.query('LISTEN jobs')).rejects.toMatchObject({
      code: 'SESSION_FEATURE_IN_TRANSACTION_MODE',
      message: expect.stringContaining('direct URL'),
    });
    await client.query('SELECT 1');
    expect(sent).toEqual(['SELECT 1']);
  });

  it("'throw' calls back with the error in callback style", async () => {
    const client = { on() {}, query: vi.fn() };
    guardPgClient(client, policy('throw'));
    const error = await new Promise((resolve) =>
      (client.query as (...args: unknown[]) => unknown)('RESET ALL', resolve),
    );
    expect(error).toMatchObject({ code: 'SESSION_FEATURE_IN_TRANSACTION_MODE' });
  });

  it("'warn' logs once per statement and lets it through", async () => {
    const warn = vi.fn();
    const inner = vi.fn((_sql: string) => Promise.resolve());
    const client = { on() {}, query: inner };
    guardPgClient(client, policy('warn', warn));
    await client.query('SET search_path = app');
    await client.query('SET search_path = app');
    expect(inner).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('is off in session mode and in production by default', () => {
    const env = { DATABASE_URL: 'postgresql://u:p@h/db' };
    expect(
      defineDatabase({ env, poolMode: 'session', transactionModeGuard: 'throw' }).transactionModeGuard,
    ).toBe('off');
    expect(
      defineDatabase({ env: { ...env, NODE_ENV: 'production' }, poolMode: 'transaction' })
        .transactionModeGuard,
    ).toBe('off');
    expect(defineDatabase({ env, poolMode: 'transaction' }).transactionModeGuard).toBe('throw');
  });
});
