import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { defineDatabase, type PoolMode } from '@mpgkit/core';
import type { PgPoolConfig } from '@mpgkit/core/adapter';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { prismaConfig } from './cli-config.ts';
import { type PrismaPgOptionsLike, prismaAdapter } from './driver-options.ts';
import { runMigrations } from './migrations.ts';
import { prisma6Urls } from './prisma6-urls.ts';

const pooled = 'postgresql://fly-user:Zq9-secret@pgbouncer.c1.flympg.net/fly-db';
const policyFor = (poolMode: PoolMode, url = pooled, warn = vi.fn()) =>
  defineDatabase({ env: { DATABASE_URL: url }, poolMode, poolSize: 7, random: () => 0.5, logger: { warn } });

// Records what the adapter was constructed with: the real PrismaPg is exercised by the conformance suite.
class RecordingPrismaPg {
  readonly config: PgPoolConfig;
  readonly options: PrismaPgOptionsLike;
  constructor(config: PgPoolConfig, options: PrismaPgOptionsLike = {}) {
    this.config = config;
    this.options = options;
  }
}

describe('prisma6Urls: the policy as Prisma 6 URL parameters', () => {
  it.each<[PoolMode, string | null]>([
    ['transaction', 'true'],
    ['session', null],
  ])('%s mode: pgbouncer=%s and every pool parameter', (mode, pgbouncer) => {
    const { url, directUrl } = prisma6Urls(policyFor(mode));
    const params = new URL(url).searchParams;
    expect(params.get('pgbouncer')).toBe(pgbouncer);
    expect(params.get('connection_limit')).toBe('7');
    expect(params.get('pool_timeout')).toBe('30');
    expect(params.get('connect_timeout')).toBe('5');
    expect(params.get('max_connection_lifetime')).toBe('570'); // 540 + 0.5 × 60, never above 600
    expect(params.get('max_idle_connection_lifetime')).toBe('300');
    expect(new URL(url).hostname).toBe('pgbouncer.c1.flympg.net');
    expect(new URL(directUrl).hostname).toBe('direct.c1.flympg.net');
    // Verified TLS (the default for a remote host) in the words of Prisma's engines.
    for (const each of [url, directUrl]) {
      expect(new URL(each).searchParams.get('sslmode')).toBe('require');
      expect(new URL(each).searchParams.get('sslaccept')).toBe('strict');
    }
  });

  it('replaces parameters the policy sets and keeps the others', () => {
    const { url } = prisma6Urls(
      policyFor('session', `${pooled}?connection_limit=50&pgbouncer=true&schema=app&sslmode=require`),
    );
    const params = new URL(url).searchParams;
    expect(params.get('connection_limit')).toBe('7');
    expect(params.get('pgbouncer')).toBeNull();
    expect(params.get('schema')).toBe('app');
    // sslmode=require: encrypted, certificate not checked, as libpq means it.
    expect(params.get('sslmode')).toBe('require');
    expect(params.get('sslaccept')).toBe('accept_invalid_certs');
  });
});

describe('prismaAdapter (Prisma 7)', () => {
  it('passes the policy as a pg pool config, with error handlers', () => {
    const adapter = prismaAdapter(policyFor('session'), RecordingPrismaPg);
    expect(adapter.config).toEqual({
      connectionString: pooled,
      max: 7,
      maxLifetimeSeconds: 570,
      idleTimeoutMillis: 300_000,
      connectionTimeoutMillis: 5_000,
      application_name: 'mpgkit:app',
      ssl: { rejectUnauthorized: true, host: 'pgbouncer.c1.flympg.net' },
      // pg's Client with the connect backoff: pg-pool's Client option.
      Client: expect.any(Function),
    });
    expect(adapter.options.onPoolError).toBeTypeOf('function');
    expect(adapter.options.onConnectionError).toBeTypeOf('function');
  });

  it("gives the pool config core's hardened client (pg-pool Client option), guarded only in transaction mode", async () => {
    const clientOf = (mode: 'transaction' | 'session') => {
      const Client = (
        prismaAdapter(policyFor(mode), RecordingPrismaPg).config as unknown as {
          Client: typeof pg.Client;
        }
      ).Client;
      // A pg Client connects only when asked: constructing one sends nothing.
      return new Client({});
    };
    for (const mode of ['transaction', 'session'] as const) expect(clientOf(mode)).toBeInstanceOf(pg.Client);
    // The guard refuses LISTEN before anything is sent in transaction mode; in session mode pg takes the query
    // (and, unconnected, holds it: still pending here).
    const listen = (mode: 'transaction' | 'session') =>
      (clientOf(mode) as unknown as { query(text: string): Promise<unknown> }).query('LISTEN jobs');
    await expect(listen('transaction')).rejects.toMatchObject({
      code: 'SESSION_FEATURE_IN_TRANSACTION_MODE',
    });
    const pending = Symbol('pending');
    expect(await Promise.race([listen('session').catch((error) => error), Promise.resolve(pending)])).toBe(
      pending,
    );
  });

  it('refuses a statementNameGenerator in transaction mode, allows it in session mode', () => {
    const statementNameGenerator = () => 'q';
    expect(() =>
      prismaAdapter(policyFor('transaction'), RecordingPrismaPg, { statementNameGenerator }),
    ).toThrow(expect.objectContaining({ code: 'UNSAFE_ADAPTER_OPTION' }));
    expect(
      prismaAdapter(policyFor('session'), RecordingPrismaPg, { statementNameGenerator }).options
        .statementNameGenerator,
    ).toBe(statementNameGenerator);
  });

  it('explains Prisma 6 parameters that Prisma 7 would silently ignore, and removes them', () => {
    const warn = vi.fn();
    const adapter = prismaAdapter(
      policyFor('transaction', `${pooled}?pgbouncer=true&connection_limit=10&sslmode=require`, warn),
      RecordingPrismaPg,
    );
    // sslmode is read into the policy's TLS (the pg `ssl` option), not left for pg to reinterpret.
    expect(adapter.config.connectionString).toBe(pooled);
    expect(adapter.config.ssl).toEqual({ rejectUnauthorized: false });
    expect(warn.mock.calls.map((call) => call[0]).join('\n')).toMatch(
      /"pgbouncer".*Prisma 7 ignores[\s\S]*"connection_limit".*poolSize/,
    );
    expect(warn.mock.calls.join('\n')).not.toContain('Zq9-secret');
  });

  it("turns ?schema= into the adapter's schema option", () => {
    expect(
      prismaAdapter(policyFor('session', `${pooled}?schema=tenant_a`), RecordingPrismaPg).options.schema,
    ).toBe('tenant_a');
  });

  it('handlers log a redacted line instead of throwing', () => {
    const warn = vi.fn();
    const adapter = prismaAdapter(policyFor('transaction', pooled, warn), RecordingPrismaPg);
    (adapter.options.onPoolError as (error: Error) => void)(new Error('auth failed for Zq9-secret'));
    expect(warn.mock.calls.at(-1)?.[0]).toContain('idle connection lost');
    expect(warn.mock.calls.at(-1)?.[0]).not.toContain('Zq9-secret');
  });
});

describe('prismaConfig', () => {
  it("gives Prisma's CLI the direct URL and keeps the rest of the config", () => {
    expect(prismaConfig(policyFor('transaction'), { schema: 'prisma/schema.prisma' })).toEqual({
      schema: 'prisma/schema.prisma',
      datasource: { url: `${pooled.replace('pgbouncer.', 'direct.')}?sslmode=require&sslaccept=strict` },
    });
  });
  it('fails with what to set when there is no direct URL', () => {
    expect(() => prismaConfig(policyFor('transaction', 'postgresql://u:p@db.local/app'))).toThrow(
      /DIRECT_DATABASE_URL/,
    );
  });
});

describe('runMigrations (prisma migrate deploy)', () => {
  it('refuses before running anything when there is no direct URL', async () => {
    await expect(
      runMigrations(policyFor('transaction', 'postgresql://u:p@db.local/app')),
    ).rejects.toMatchObject({
      code: 'MISSING_DIRECT_URL',
    });
  });
  it('says how to install the CLI when prisma is not installed where it runs', async () => {
    const app = mkdtempSync(join(tmpdir(), 'mpgkit-no-prisma-'));
    writeFileSync(join(app, 'package.json'), '{"type":"module"}');
    // A child without NODE_PATH: pnpm sets it for scripts, and it would find this repository's prisma.
    const { NODE_PATH: _, ...env } = process.env;
    const script = `
      import { defineDatabase } from '@mpgkit/core';
      import { runMigrations } from '@mpgkit/prisma';
      const policy = defineDatabase({ env: { DATABASE_URL: ${JSON.stringify(pooled)} }, logger: { warn() {} } });
      await runMigrations(policy, { cwd: ${JSON.stringify(app)} }).catch((error) =>
        process.stdout.write(JSON.stringify({ code: error.code, message: error.message })));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@mpgkit/source', '--input-type=module', '-e', script],
      { env, cwd: fileURLToPath(new URL('..', import.meta.url)) },
    );
    expect(JSON.parse(stdout)).toMatchObject({
      code: 'MIGRATION_FAILED',
      message: expect.stringContaining('npm install -D prisma'),
    });
  });
});

describe('printing the CLI config', () => {
  it("shows prismaConfig's URL redacted, while Prisma reads the real one", async () => {
    const { inspect } = await import('node:util');
    const config = prismaConfig(policyFor('transaction'), { schema: 'prisma/schema.prisma' });
    expect(inspect(config, { depth: null })).not.toContain('Zq9-secret');
    expect(JSON.stringify(config)).not.toContain('Zq9-secret');
    expect(config.datasource.url).toContain('Zq9-secret');
  });
});
