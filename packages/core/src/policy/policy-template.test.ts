import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DatabaseOptions } from './database-options.ts';
import { defineTemplate } from './policy-template.ts';

const env = { DATABASE_URL: 'postgresql://u:Zq9-pw@pgbouncer.c1.flympg.net/fly-db' };
const quiet = { warn() {} };
const ACME_CA = '-----BEGIN CERTIFICATE-----\nacme\n-----END CERTIFICATE-----\n';
const acme = defineTemplate('@acme/db-policy', {
  env,
  logger: quiet,
  poolMode: 'transaction',
  plan: 'launch',
  maxLifetimeSeconds: 540,
  drainWindowSeconds: 600,
  idleTimeoutSeconds: 300,
  lifetimeJitter: 0.1,
  transactionModeGuard: 'warn',
  budgetCheck: 'throw',
  tls: { mode: 'verify-full', ca: ACME_CA },
});

function refusal(options: DatabaseOptions): { code?: string; message: string; details?: unknown } {
  try {
    acme.defineDatabase(options);
  } catch (error) {
    return error as { code?: string; message: string; details?: unknown };
  }
  throw new Error('the template accepted a looser setting');
}

describe('defineTemplate', () => {
  it.each<[string, DatabaseOptions, string]>([
    ['maxLifetimeSeconds', { maxLifetimeSeconds: 600 }, 'may only be shorter'],
    ['drainWindowSeconds', { drainWindowSeconds: 900 }, 'may only be shorter'],
    ['idleTimeoutSeconds', { idleTimeoutSeconds: 600 }, 'may only be shorter'],
    ['lifetimeJitter', { lifetimeJitter: 0 }, 'may only be larger'],
    ['transactionModeGuard', { transactionModeGuard: 'off' }, 'may only be stricter'],
    ['budgetCheck', { budgetCheck: 'off' }, 'may only be stricter'],
    ['poolMode', { poolMode: 'session' }, "stays 'transaction'"],
    ['tls', { tls: 'require' }, 'may only be stricter'],
    ['tls.ca', { tls: { ca: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' } }, 'stays the CA'],
  ])('refuses a looser %s, naming the template and the field', (field, options, rule) => {
    const error = refusal(options);
    expect(error.code).toBe('WEAKENS_TEMPLATE');
    expect(error.message).toContain('@acme/db-policy');
    expect(error.message).toContain(rule);
    expect(error.details).toEqual({ template: '@acme/db-policy', field });
  });

  it('takes the template as is, and any stricter setting (negative control for each refusal above)', () => {
    const policy = acme.defineDatabase({
      fleet: { web: { machines: 3, poolSize: 10 } },
      maxLifetimeSeconds: 300,
      drainWindowSeconds: 500,
      idleTimeoutSeconds: 60,
      lifetimeJitter: 0.2,
      transactionModeGuard: 'throw',
      budgetCheck: 'throw',
      poolMode: 'transaction',
      tls: 'verify-full',
    });
    expect(policy).toMatchObject({
      poolMode: 'transaction',
      transactionModeGuard: 'throw',
      idleTimeoutSeconds: 60,
    });
    expect(policy.lifetime).toEqual({ minSeconds: 240, maxSeconds: 300 });
    expect(policy.tls.pooled.mode).toBe('verify-full');
    expect(acme.defineDatabase().lifetime.maxSeconds).toBe(540);
  });

  it('accepts exactly the lifetimes and timeouts that are no longer than the template', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1200 }), fc.integer({ min: 1, max: 1200 }), (lifetime, idle) => {
        const options = { maxLifetimeSeconds: lifetime, idleTimeoutSeconds: idle };
        const accepted = (() => {
          try {
            acme.defineDatabase(options);
            return true;
          } catch (error) {
            expect((error as { code?: string }).code).toBe('WEAKENS_TEMPLATE');
            return false;
          }
        })();
        expect(accepted).toBe(lifetime <= 540 && idle <= 300);
      }),
    );
  });

  it("a URL's weaker sslmode meets the template's TLS as a conflict, not a silent downgrade", () => {
    const weakUrl = { DATABASE_URL: `${env.DATABASE_URL}?sslmode=require` };
    expect(() => acme.defineDatabase({ env: weakUrl })).toThrow(/says sslmode=require/);
  });
});
