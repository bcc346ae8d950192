import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { GUARD_SETUP_SQL, SAFE_SQL, UNSAFE_SQL } from '../test/fixtures/guard-corpus.ts';
import { defineDatabase } from './policy.ts';
import { tokenizeSql } from './sql-tokens.ts';
import { checkPgQuery, findSessionFeature, guardPgClient } from './transaction-mode-guard.ts';

describe('findSessionFeature: the unsafe catalogue', () => {
  it('has at least 20 unsafe statements', () => expect(UNSAFE_SQL.length).toBeGreaterThanOrEqual(20));
  it.each(UNSAFE_SQL)('%s → %s', (sql, feature) => {
    const found = findSessionFeature(sql);
    expect(found?.feature).toContain(feature);
    expect(found?.fix.length).toBeGreaterThan(20);
  });
});

describe('findSessionFeature: the safe corpus', () => {
  it('has at least 50 safe statements', () => expect(SAFE_SQL.length).toBeGreaterThanOrEqual(50));
  it.each([...SAFE_SQL, ...GUARD_SETUP_SQL])('%s', (sql) => {
    expect(findSessionFeature(sql)).toBeUndefined();
  });
});

describe('checkPgQuery', () => {
  it('reads strings, config objects and submittables', () => {
    expect(checkPgQuery('LISTEN x')?.feature).toBe('LISTEN');
    expect(checkPgQuery({ text: 'RESET ALL', values: [] })?.feature).toBe('RESET');
    expect(checkPgQuery({ text: 'SELECT 1', submit() {} })).toBeUndefined();
  });
  it('flags named statements', () => {
    expect(checkPgQuery({ name: 'q', text: 'SELECT 1' })?.feature).toBe('named prepared statement "q"');
  });
});

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

// Text the scanner must never read as SQL: inside a string, a dollar quote, or a comment.
const hazard = fc.constantFrom(
  'LISTEN x',
  'SET a = b',
  'RESET ALL',
  'pg_advisory_lock(1)',
  'PREPARE p AS SELECT 1',
  "'",
  '"',
  '$$',
  '*/',
  '/*',
  '--',
  ';',
);
const textArb = fc
  .array(fc.oneof(hazard, fc.string({ maxLength: 8 })), { maxLength: 6 })
  .map((parts) => parts.join(' '));

describe('the scanner (properties)', () => {
  it('never throws, whatever the input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (sql) => void tokenizeSql(sql)));
  });

  it('ignores anything inside a string literal', () => {
    fc.assert(
      fc.property(
        textArb,
        (text) => findSessionFeature(`SELECT '${text.replaceAll("'", "''")}'`) === undefined,
      ),
    );
  });

  it('ignores anything inside an E string with backslash escapes', () => {
    const escaped = (text: string) => text.replaceAll('\\', '\\\\').replaceAll("'", "\\'");
    fc.assert(fc.property(textArb, (text) => findSessionFeature(`SELECT E'${escaped(text)}'`) === undefined));
  });

  it('ignores anything inside a dollar quote', () => {
    fc.assert(
      fc.property(
        textArb.filter((t) => !t.includes('$q$')),
        (text) => findSessionFeature(`SELECT $q$${text}$q$`) === undefined,
      ),
    );
  });

  it('ignores anything in comments', () => {
    fc.assert(
      fc.property(
        textArb.filter((t) => !t.includes('\n')),
        (text) => findSessionFeature(`-- ${text}\nSELECT 1`) === undefined,
      ),
    );
    fc.assert(
      fc.property(
        textArb.filter((t) => !t.includes('*/') && !t.includes('/*')),
        (text) => findSessionFeature(`/* ${text} */ SELECT 1`) === undefined,
      ),
    );
  });

  it('finds an unsafe statement after any number of safe ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...SAFE_SQL.filter((s) => !s.includes(';'))), { maxLength: 5 }),
        fc.constantFrom(...UNSAFE_SQL),
        (prefix, [unsafe, feature]) => {
          expect(findSessionFeature([...prefix, unsafe].join('\n;\n'))?.feature).toContain(feature);
        },
      ),
    );
  });
});
