import { inspect } from 'node:util';
import { defineDatabase, MpgkitErrorCode } from '@mpgkit/core';
import { describe, expect, it } from 'vitest';
import { knexConfig, knexfileConfig, knexMigrationConfig } from './index.ts';

const env = {
  DATABASE_URL: 'postgresql://app:s3cr3t-pw@pgbouncer.c1.flympg.net/fly-db',
};
const policy = (poolMode: 'session' | 'transaction') =>
  defineDatabase({ env, poolMode, poolSize: 7, idleTimeoutSeconds: 120, logger: { warn() {} } });

describe('knexConfig', () => {
  it("takes the pool size, timeouts, application name and TLS from the policy; knex's min 2 becomes 0", () => {
    const config = knexConfig(policy('transaction'));
    expect(config.pool).toMatchObject({
      min: 0,
      max: 7,
      idleTimeoutMillis: 120_000,
      reapIntervalMillis: 1000,
      createTimeoutMillis: 5000,
      acquireTimeoutMillis: 30_000,
    });
    expect(config.acquireConnectionTimeout).toBe(30_000);
    expect(config.connection).toMatchObject({
      application_name: 'mpgkit:app',
      ssl: { rejectUnauthorized: true, host: 'pgbouncer.c1.flympg.net' },
    });
    expect((config.client as { name: string }).name).toBe('MpgkitPgClient');
  });

  it('never prints the password (inspect, JSON)', () => {
    const config = knexConfig(policy('session'));
    expect(inspect(config, { depth: 5 })).not.toContain('s3cr3t-pw');
    expect(JSON.stringify(config)).not.toContain('s3cr3t-pw');
  });

  it("refuses knex's searchPath in transaction mode (a session SET), and keeps it in session mode", () => {
    expect(() => knexConfig(policy('transaction'), { searchPath: ['app'] })).toThrow(
      expect.objectContaining({
        code: MpgkitErrorCode.InvalidOption,
        message: expect.stringMatching(/SET LOCAL/),
      }),
    );
    expect(knexConfig(policy('session'), { searchPath: ['app'] }).searchPath).toEqual(['app']);
  });

  it('puts migrations and the knexfile on the direct URL, one connection', () => {
    const config = knexMigrationConfig(policy('transaction'));
    expect(config.pool).toMatchObject({ min: 0, max: 1 });
    expect(inspect(config.connection)).toContain('direct.c1.flympg.net');
    expect(knexfileConfig(policy('transaction'), { migrations: { directory: 'm' } }).migrations).toEqual({
      directory: 'm',
    });
  });
});
