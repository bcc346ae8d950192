import { inspect } from 'node:util';
import { defineDatabase } from '@mpgkit/core';
import { describe, expect, it } from 'vitest';
import { sequelizeCliConfig, sequelizeMigrationOptions, sequelizeOptions } from './index.ts';

const env = { DATABASE_URL: 'postgresql://app:s3cr3t-pw@pgbouncer.c1.flympg.net/fly-db' };
const policy = (poolMode: 'session' | 'transaction') =>
  defineDatabase({ env, poolMode, poolSize: 7, idleTimeoutSeconds: 120, logger: { warn() {} } });

describe('sequelizeOptions', () => {
  it('takes host, pool, timeouts, application name and TLS from the policy', () => {
    const options = sequelizeOptions(policy('session'));
    expect(options).toMatchObject({
      dialect: 'postgres',
      host: 'pgbouncer.c1.flympg.net',
      username: 'app',
      database: 'fly-db',
      logging: false,
      pool: { max: 7, min: 0, idle: 120_000, acquire: 30_000, evict: 1000 },
      dialectOptions: {
        application_name: 'mpgkit:app',
        connectionTimeoutMillis: 5000,
        ssl: { rejectUnauthorized: true, host: 'pgbouncer.c1.flympg.net' },
      },
    });
    // Session mode: Sequelize's own per-connection settings are kept (a session is the client's own).
    expect((options as { keepDefaultTimezone?: boolean }).keepDefaultTimezone).toBeUndefined();
  });

  it('turns off the per-connection session SETs in transaction mode', () => {
    const options = sequelizeOptions(policy('transaction'));
    expect((options as { keepDefaultTimezone?: boolean }).keepDefaultTimezone).toBe(true);
    expect(options.dialectOptions).toMatchObject({ clientMinMessages: 'ignore' });
  });

  it('never prints the password (inspect, JSON)', () => {
    const options = sequelizeOptions(policy('transaction'));
    expect(inspect(options, { depth: 5 })).not.toContain('s3cr3t-pw');
    expect(JSON.stringify(options)).not.toContain('s3cr3t-pw');
  });

  it("keeps the app's own afterConnect hook and other options", async () => {
    const seen: unknown[] = [];
    const options = sequelizeOptions(policy('session'), {
      benchmark: true,
      hooks: { afterConnect: (connection) => void seen.push(connection) },
    });
    expect(options.benchmark).toBe(true);
    const connection = { query: () => undefined };
    const afterConnect = options.hooks?.afterConnect as (c: unknown, o: unknown) => Promise<void>;
    await afterConnect(connection, {});
    expect(seen).toEqual([connection]);
  });

  it('puts migrations and the sequelize-cli config on the direct URL, one connection', () => {
    expect(sequelizeMigrationOptions(policy('transaction'))).toMatchObject({
      host: 'direct.c1.flympg.net',
      pool: { max: 1 },
      dialectOptions: { application_name: 'mpgkit:app:migrate' },
    });
    expect(sequelizeCliConfig(policy('transaction')).host).toBe('direct.c1.flympg.net');
  });
});
