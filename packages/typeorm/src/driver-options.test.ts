import { defineDatabase } from '@mpgkit/core';
import { describe, expect, it, vi } from 'vitest';
import { typeormCliConfig } from './cli-config.ts';
import { typeormOptions } from './driver-options.ts';

const env = {
  DATABASE_URL: 'postgresql://u:Zq9-secret@pgbouncer.c1.flympg.net/fly-db',
};
const policyWith = (warn = vi.fn()) => ({
  policy: defineDatabase({ env, poolSize: 8, random: () => 0.5, logger: { warn } }),
  warn,
});

describe('typeormOptions', () => {
  it('maps the policy: pooled URL, pool size, connect timeout, application name, lifetime and idle in extra', () => {
    const { policy } = policyWith();
    expect(typeormOptions(policy)).toEqual({
      type: 'postgres',
      url: env.DATABASE_URL,
      poolSize: 8,
      connectTimeoutMS: 5000,
      applicationName: 'mpgkit:app',
      ssl: { rejectUnauthorized: true, host: 'pgbouncer.c1.flympg.net' },
      extra: {
        // pg's Client with the connect backoff (and in transaction mode the guard): pg-pool's Client option.
        Client: expect.any(Function),
        max: 8,
        maxLifetimeSeconds: 570,
        idleTimeoutMillis: 300_000,
        connectionTimeoutMillis: 5000,
      },
    });
  });

  it('lets an ssl override through, and names one that drops the certificate check', () => {
    const { policy, warn } = policyWith();
    const strict = { rejectUnauthorized: true, ciphers: 'HIGH' };
    expect(typeormOptions(policy, { ssl: strict }).ssl).toEqual(strict);
    expect(warn).not.toHaveBeenCalled();
    expect(typeormOptions(policy, { ssl: { rejectUnauthorized: false } }).ssl).toEqual({
      rejectUnauthorized: false,
    });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('turns off the certificate check'));
  });

  it.each([
    ['a longer lifetime', { extra: { maxLifetimeSeconds: 3600 } }, 'maxLifetimeSeconds', 570],
    ['no lifetime (0)', { extra: { maxLifetimeSeconds: 0 } }, 'maxLifetimeSeconds', 570],
    ['no idle timeout (0)', { extra: { idleTimeoutMillis: 0 } }, 'idleTimeoutMillis', 300_000],
    ['a pool bigger than the budget', { poolSize: 50 }, 'max', 8],
  ])('ignores %s with a warning', (_, overrides, key, kept) => {
    const { policy, warn } = policyWith();
    const options = typeormOptions(policy, overrides);
    expect((options.extra as Record<string, unknown>)[key]).toBe(kept);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('would weaken the policy'));
  });

  it('keeps overrides that tighten, and unrelated options as given', () => {
    const { policy, warn } = policyWith();
    const options = typeormOptions(policy, {
      poolSize: 4,
      extra: { maxLifetimeSeconds: 60, statement_timeout: undefined },
      synchronize: false,
      logging: ['error'],
    });
    expect(options).toMatchObject({
      poolSize: 4,
      synchronize: false,
      logging: ['error'],
      extra: { max: 4, maxLifetimeSeconds: 60 },
    });
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('typeormCliConfig', () => {
  it('uses the direct URL, a pool of 2, one transaction for all migrations', () => {
    const { policy } = policyWith();
    expect(typeormCliConfig(policy)).toMatchObject({
      url: 'postgresql://u:Zq9-secret@direct.c1.flympg.net/fly-db',
      poolSize: 2,
      migrationsTransactionMode: 'all',
      applicationName: 'mpgkit:app:migrate',
    });
  });

  it('fails clearly without a direct URL', () => {
    const policy = defineDatabase({
      env: { DATABASE_URL: 'postgresql://u:p@db.local/app' },
      logger: { warn() {} },
    });
    expect(() => typeormCliConfig(policy)).toThrow(expect.objectContaining({ code: 'MISSING_DIRECT_URL' }));
  });
});

describe('printing the options', () => {
  it('shows the URL redacted in console.log and JSON, while TypeORM reads the real one', async () => {
    const { inspect } = await import('node:util');
    const { policy } = policyWith();
    for (const options of [typeormOptions(policy), typeormCliConfig(policy)]) {
      expect(inspect(options, { depth: null })).not.toContain('Zq9-secret');
      expect(JSON.stringify(options)).not.toContain('Zq9-secret');
      expect(options.url).toContain('Zq9-secret');
    }
  });
});
