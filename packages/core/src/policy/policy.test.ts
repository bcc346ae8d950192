import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { thrown } from '../../test/thrown.ts';
import { MpgkitErrorCode } from '../errors.ts';
import type { DatabaseOptions } from './database-options.ts';
import { applicationNameFor, defineDatabase, drawLifetime, requireDirectUrl } from './policy.ts';

const PASSWORD = 'Zq9-distinctive-pw';
const env = {
  DATABASE_URL: `postgresql://fly-user:${PASSWORD}@pgbouncer.c1.flympg.net/fly-db`,
};
const quiet = { warn: vi.fn() };
const define = (options: DatabaseOptions = {}) => defineDatabase({ env, logger: quiet, ...options });

describe('defineDatabase', () => {
  it("applies the seed guide's defaults", () => {
    const policy = define();
    expect(policy).toMatchObject({
      poolMode: 'session',
      processGroup: 'app',
      poolSize: 10,
      idleTimeoutSeconds: 300,
      connectTimeoutSeconds: 5,
      poolTimeoutSeconds: 30,
      drainWindowSeconds: 600,
      namedPreparedStatements: true,
      applicationName: 'mpgkit:app',
      lifetime: { minSeconds: 540, maxSeconds: 600 },
    });
    expect(policy.maxLifetimeSeconds).toBeGreaterThanOrEqual(540);
    expect(policy.maxLifetimeSeconds).toBeLessThanOrEqual(600);
    expect(policy.urls.direct).toContain('direct.c1.flympg.net');
    expect(Object.isFrozen(policy)).toBe(true);
  });

  it('turns named prepared statements off in transaction mode', () => {
    expect(define({ poolMode: 'transaction' }).namedPreparedStatements).toBe(false);
  });

  it('picks the pool size of this process group from FLY_PROCESS_GROUP', () => {
    const fleet = { web: { machines: 3, poolSize: 10 }, worker: { machines: 2, poolSize: 5 } };
    const policy = defineDatabase({
      env: { ...env, FLY_PROCESS_GROUP: 'worker', FLY_APP_NAME: 'shop' },
      fleet,
      plan: 'basic',
    });
    expect(policy).toMatchObject({ processGroup: 'worker', poolSize: 5, applicationName: 'shop:worker' });
    expect(policy.budget?.total).toBe(40);
  });

  it('names the group when the fleet does not declare it', () => {
    expect(() => define({ fleet: { web: { machines: 1, poolSize: 5 } }, processGroup: 'app' })).toThrow(
      /group is "app".*declares only web/,
    );
  });

  it('throws at startup with the arithmetic when the fleet is over budget', () => {
    const fleet = { app: { machines: 3, poolSize: 10 }, worker: { machines: 2, poolSize: 5 } };
    expect(() => define({ plan: 'basic', fleet, deploy: 'bluegreen' })).toThrow(
      expect.objectContaining({
        code: MpgkitErrorCode.PoolBudgetExceeded,
        message: expect.stringContaining('2 × 40 = 80 of 50'),
      }),
    );
  });

  it("only warns when budgetCheck is 'warn', and stays silent when 'off' (the report is still there)", () => {
    const fleet = { app: { machines: 6, poolSize: 10 } };
    const logger = { warn: vi.fn() };
    expect(define({ plan: 'basic', fleet, budgetCheck: 'warn', logger }).budget?.verdict).toBe('over');
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('(6 × 10) = 60 of 50'));
    const quiet = { warn: vi.fn() };
    expect(define({ plan: 'basic', fleet, budgetCheck: 'off', logger: quiet }).budget?.verdict).toBe('over');
    expect(quiet.warn).not.toHaveBeenCalled();
  });

  it('checks the peak against budgetShare, the part of a shared cluster this app may use', () => {
    const fleet = { app: { machines: 3, poolSize: 10 } };
    // 30 fits basic's 50 database connections alone, but not a share of 25 of them.
    expect(define({ plan: 'basic', fleet, budgetShare: 30 }).budget?.verdict).toBe('ok');
    const error = thrown(() => define({ plan: 'basic', fleet, budgetShare: 25 }));
    expect(error).toMatchObject({ code: MpgkitErrorCode.PoolBudgetExceeded });
    expect(error.message).toMatch(
      /share of the cluster is 25 \(budgetShare\), but its peak is 30: over its share by 5/,
    );
    expect(thrown(() => define({ plan: 'basic', fleet, budgetShare: 0 })).message).toMatch(/budgetShare/);
  });

  it('summarizes how its group fits in one line, with no secret in it', () => {
    const policy = define({
      pooledUrl: 'postgres://app:s3cr3t-pw@pgbouncer.flympg.net/app',
      poolMode: 'transaction',
      plan: 'basic',
      processGroup: 'web',
      fleet: { web: { machines: 3, poolSize: 10 }, worker: { machines: 1, poolSize: 5 } },
      budgetShare: 100,
    });
    const line = policy.budgetSummary();
    expect(line).toBe(
      'mpgkit: group web holds 30 of app peak 35 connections; share 100 of 200 max client connections ' +
        '(plan basic, transaction mode, rolling deploy): 65 to spare',
    );
    expect(line).not.toMatch(/s3cr3t|\n/);
    expect(define({ poolSize: 4 }).budgetSummary()).toMatch(/pool 4 per process; budget not checked/);
  });

  it('warns (never throws) for a reserve-only fit', () => {
    const logger = { warn: vi.fn() };
    expect(
      define({ plan: 'basic', fleet: { app: { machines: 9, poolSize: 5 } }, logger }).budget?.verdict,
    ).toBe('reserve');
    expect(logger.warn).toHaveBeenCalledOnce();
  });

  it.each<[DatabaseOptions, string]>([
    [{ maxLifetimeSeconds: 900 }, 'longer than the proxy'],
    [{ lifetimeJitter: 1 }, 'lifetimeJitter'],
    [{ idleTimeoutSeconds: 0 }, 'idleTimeoutSeconds'],
    [{ connectTimeoutSeconds: Number.NaN }, 'connectTimeoutSeconds'],
    [{ poolSize: 0 }, 'poolSize'],
    [{ poolMode: 'statement' as never }, 'Pool mode'],
    [{ fleet: { app: { machines: 1, poolSize: 5 } }, poolSize: 10 }, 'disagrees'],
  ])('rejects %j', (options, message) => {
    expect(() => define(options)).toThrow(
      expect.objectContaining({
        code: MpgkitErrorCode.InvalidOption,
        message: expect.stringContaining(message),
      }),
    );
  });

  it('never shows the password when printed', () => {
    const policy = define();
    expect(inspect(policy, { depth: 10 })).not.toContain(PASSWORD);
    expect(JSON.stringify(policy)).not.toContain(PASSWORD);
    expect(JSON.stringify(policy)).toContain('pgbouncer.c1.flympg.net');
    expect(policy.redact(`auth failed for ${PASSWORD}`)).not.toContain(PASSWORD);
  });

  it('requireDirectUrl explains what to set when there is no direct URL', () => {
    const policy = defineDatabase({ env: { DATABASE_URL: 'postgresql://u:p@db.local/app' }, logger: quiet });
    expect(() => requireDirectUrl(policy)).toThrow(
      expect.objectContaining({
        code: MpgkitErrorCode.MissingDirectUrl,
        message: expect.stringContaining('DIRECT_DATABASE_URL'),
      }),
    );
  });
});

describe('lifetime jitter (properties)', () => {
  it('only ever shortens: every drawn lifetime is within [max × (1 − jitter), max] and ≤ the drain window', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 600, noNaN: true }),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), {
          minLength: 1,
          maxLength: 20,
        }),
        (max, jitter, draws) => {
          let index = 0;
          const policy = define({
            maxLifetimeSeconds: max,
            lifetimeJitter: jitter,
            random: () => draws[index++ % draws.length]!,
          });
          for (let i = 0; i < draws.length; i++) {
            const lifetime = policy.nextLifetimeSeconds();
            expect(lifetime).toBeLessThanOrEqual(max);
            expect(lifetime).toBeLessThanOrEqual(600);
            expect(lifetime).toBeGreaterThanOrEqual(max * (1 - jitter) - 1e-9);
          }
        },
      ),
    );
  });

  it('drawLifetime clamps out-of-range random sources', () => {
    expect(drawLifetime({ minSeconds: 540, maxSeconds: 600 }, 7)).toBe(600);
    expect(drawLifetime({ minSeconds: 540, maxSeconds: 600 }, -1)).toBe(540);
  });
});

describe('applicationNameFor', () => {
  it('names a role after the policy, within the 63 bytes Postgres keeps', () => {
    expect(applicationNameFor({ applicationName: 'shop:web' })).toBe('shop:web');
    expect(applicationNameFor({ applicationName: 'shop:web' }, 'migrate')).toBe('shop:web:migrate');
    expect(applicationNameFor({ applicationName: 'x'.repeat(60) }, 'listen')).toHaveLength(63);
  });
});

describe('budget advice fits the mode', () => {
  const env = { DATABASE_URL: 'postgresql://u:pw@pgbouncer.c1.flympg.net/fly-db', FLY_PROCESS_GROUP: 'web' };
  const over = (poolMode: 'session' | 'transaction') => {
    try {
      defineDatabase({ env, poolMode, plan: 'basic', fleet: { web: { machines: 30, poolSize: 10 } } });
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected POOL_BUDGET_EXCEEDED');
  };
  it('tells a transaction-mode fleet nothing about switching to transaction mode', () => {
    expect(over('transaction')).not.toContain('transaction mode,');
    expect(over('transaction')).toContain('refuses');
    expect(over('session')).toContain('switch to transaction mode');
  });
});

describe('off Fly (no FLY_PROCESS_GROUP)', () => {
  const env = { DATABASE_URL: 'postgresql://u:pw@pgbouncer.c1.flympg.net/fly-db' };
  const fleet = { web: { machines: 3, poolSize: 10 }, worker: { machines: 2, poolSize: 5 } };
  it("runs the README's policy as written: the fleet's first group, and the whole budget checked", () => {
    const policy = defineDatabase({
      env,
      poolMode: 'transaction',
      plan: 'launch',
      fleet,
      deploy: 'bluegreen',
    });
    expect(policy).toMatchObject({ processGroup: 'web', poolSize: 10 });
    expect(policy.budget).toMatchObject({ total: 40, peak: 80, verdict: 'ok' });
  });
  it("prefers a group named 'app'", () => {
    const policy = defineDatabase({
      env,
      fleet: { worker: { machines: 1, poolSize: 3 }, app: { machines: 1, poolSize: 7 } },
    });
    expect(policy).toMatchObject({ processGroup: 'app', poolSize: 7 });
  });
  it('on Fly, a group the fleet does not declare is still an error', () => {
    expect(() => defineDatabase({ env: { ...env, FLY_PROCESS_GROUP: 'cron' }, fleet })).toThrow(
      /"cron" \(FLY_PROCESS_GROUP\)/,
    );
  });
});

describe('a drain window from the environment (a test stack, a staging proxy)', () => {
  const env = { DATABASE_URL: 'postgresql://u:pw@127.0.0.1:6432/db' };
  it('scales the lifetime to MPGKIT_DRAIN_WINDOW_SECONDS / MPGKIT_MAX_LIFETIME_SECONDS; options win', () => {
    const scaled = defineDatabase({
      env: { ...env, MPGKIT_DRAIN_WINDOW_SECONDS: '10', MPGKIT_MAX_LIFETIME_SECONDS: '5' },
    });
    expect(scaled).toMatchObject({ drainWindowSeconds: 10, lifetime: { maxSeconds: 5, minSeconds: 4.5 } });
    expect(
      defineDatabase({ env: { ...env, MPGKIT_DRAIN_WINDOW_SECONDS: '10' }, drainWindowSeconds: 20 })
        .drainWindowSeconds,
    ).toBe(20);
    expect(defineDatabase({ env }).drainWindowSeconds).toBe(600);
  });
  it('refuses a value that is not a number of seconds, naming the variable', () => {
    expect(() => defineDatabase({ env: { ...env, MPGKIT_DRAIN_WINDOW_SECONDS: 'ten' } })).toThrow(
      /MPGKIT_DRAIN_WINDOW_SECONDS must be a positive number/,
    );
    expect(() =>
      defineDatabase({
        env: { ...env, MPGKIT_DRAIN_WINDOW_SECONDS: '10', MPGKIT_MAX_LIFETIME_SECONDS: '60' },
      }),
    ).toThrow(/longer than the proxy's drain window/);
  });
});

describe('a policy declared without a database URL (CI, templates)', () => {
  it('declares, checks its budget and prints without one; the first read of its URLs throws what to set', () => {
    const policy = defineDatabase({
      env: {},
      poolMode: 'transaction',
      plan: 'basic',
      fleet: { web: { machines: 2, poolSize: 10 } },
      deploy: 'bluegreen',
    });
    expect(policy.budget?.peak).toBe(40);
    expect(policy.fleet).toEqual({ web: { machines: 2, poolSize: 10 } });
    expect(policy.deploy).toBe('bluegreen');
    expect(JSON.stringify(policy)).toContain('not resolved yet (DATABASE_URL is not set)');
    expect(() => policy.urls).toThrow(expect.objectContaining({ code: MpgkitErrorCode.MissingEnvVar }));
    expect(() => policy.tls).toThrow(/DATABASE_URL is not set/);
  });

  it('resolves at once, and keeps failing fast, when the URL is there', () => {
    expect(() => defineDatabase({ env: { DATABASE_URL: 'mysql://u:p@h/db' } })).toThrow(/postgresql:\/\//);
    const policy = defineDatabase({ env: { DATABASE_URL: 'postgresql://u:Zq9-pw@127.0.0.1:6432/db' } });
    expect(Object.getOwnPropertyDescriptor(policy, 'urls')?.get).toBeTypeOf('function');
    expect(policy.urls.pooled).toContain('127.0.0.1:6432');
  });
});

describe('property: no message prints NaN or Infinity, whatever number a policy option gets', () => {
  it('numeric options given NaN, ±Infinity or a string: a typed error that says it in words', () => {
    const numeric = [
      'poolSize',
      'maxLifetimeSeconds',
      'idleTimeoutSeconds',
      'connectTimeoutSeconds',
      'drainWindowSeconds',
      'lifetimeJitter',
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...numeric),
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
        (option, value) => {
          const error = thrown(
            () =>
              defineDatabase({
                env: { DATABASE_URL: 'postgresql://u:p@pgbouncer.c1.flympg.net/fly-db' },
                [option]: value,
                logger: { warn() {} },
              }).urls,
          );
          expect(error.code).toBe('INVALID_OPTION');
          expect(error.message).not.toMatch(/NaN|Infinity/);
        },
      ),
    );
  });
});
