import { EventEmitter } from 'node:events';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { defineDatabase } from '../policy/policy.ts';
import { attachPoolSafetyNet, createPgPool } from './pg-pool.ts';
import { toPgPoolConfig } from './pg-pool-options.ts';

const env = {
  DATABASE_URL: 'postgresql://fly-user:Zq9-pw-secret@pgbouncer.c1.flympg.net/fly-db',
};

describe('toPgPoolConfig', () => {
  it('maps the policy to node-postgres options', () => {
    const policy = defineDatabase({ env, random: () => 0.5 });
    expect(toPgPoolConfig(policy)).toEqual({
      connectionString: env.DATABASE_URL,
      max: 10,
      maxLifetimeSeconds: 570,
      idleTimeoutMillis: 300_000,
      connectionTimeoutMillis: 5_000,
      application_name: 'mpgkit:app',
      // An MPG host, no sslmode: verified TLS against Node's roots, the default for a remote host.
      ssl: { rejectUnauthorized: true, host: 'pgbouncer.c1.flympg.net' },
    });
  });

  it('uses the direct URL with a pool of 1 for migrations', () => {
    const config = toPgPoolConfig(defineDatabase({ env }), { target: 'direct', role: 'migrate' });
    expect(config).toMatchObject({ max: 1, application_name: 'mpgkit:app:migrate' });
    expect(config.connectionString).toContain('direct.c1.flympg.net');
  });

  it('sets no startup parameter that PgBouncer refuses', () => {
    const keys = Object.keys(toPgPoolConfig(defineDatabase({ env })));
    expect(keys).not.toContain('statement_timeout');
    expect(keys).not.toContain('options');
  });
});

describe('attachPoolSafetyNet', () => {
  it('listens on the pool and on every client it opens, and reports redacted errors', () => {
    const warn = vi.fn();
    const policy = defineDatabase({ env, logger: { warn } });
    const pool = new EventEmitter();
    attachPoolSafetyNet(pool, policy);
    attachPoolSafetyNet(pool, policy); // idempotent
    expect(pool.listenerCount('error')).toBe(1);
    const client = new EventEmitter();
    pool.emit('connect', client);
    // Without listeners, these emits would throw (EventEmitter's unhandled 'error'). An idle client's error
    // reaches both the pool and the client: reported once, as idle.
    pool.emit('error', new Error('Connection terminated unexpectedly'), client);
    client.emit('error', new Error('Connection terminated unexpectedly'));
    expect(warn).toHaveBeenCalledTimes(1);
    // Checked out, only the client's own listener is there.
    pool.emit('acquire', client);
    client.emit('error', new Error('password authentication failed: Zq9-pw-secret'));
    pool.emit('release', undefined, client);
    client.emit('error', new Error('after release, idle again: the pool reports it'));
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls.flat().join(' ')).not.toContain('Zq9-pw-secret');
    expect(warn.mock.calls[0]?.[0]).toContain('idle connection lost');
    expect(warn.mock.calls[1]?.[0]).toContain('checked-out connection lost');
  });

  it('gives each new pg-pool connection its own lifetime within the policy range', () => {
    let draw = 0;
    const policy = defineDatabase({ env, random: () => [0, 0.5, 0.999][draw++ % 3]! });
    const pool = createPgPool(policy, pg.Pool);
    // pg-pool reads this once per new connection (_afterConnect); the getter draws each time.
    const seen = [0, 1, 2, 3].map(() => (pool.options as { maxLifetimeSeconds: number }).maxLifetimeSeconds);
    expect(new Set(seen).size).toBeGreaterThan(1);
    for (const lifetime of seen) {
      expect(lifetime).toBeGreaterThanOrEqual(540);
      expect(lifetime).toBeLessThanOrEqual(600);
    }
    void pool.end();
  });
});
