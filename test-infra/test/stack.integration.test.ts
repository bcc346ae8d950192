import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import {
  attachStack,
  backendsByApplication,
  poolerConsole,
  showPools,
  startStack,
  waitFor,
} from '../src/index.ts';
import { descendantsOf, isAlive, readPid } from '../src/process-control.ts';

const shared = attachStack(inject('mpgkitStack'));

async function query(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url, application_name: 'stack-test' });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('the local MPG-shaped stack', () => {
  it('serves the app through both poolers and the direct route, all via the proxy', async () => {
    for (const route of ['transaction', 'session', 'direct'] as const) {
      const [row] = await query(shared.url(route), 'SELECT current_user AS u, current_database() AS d');
      expect(row).toEqual({ u: 'fly-user', d: 'fly-db' });
    }
    expect((await showPools(shared, 'transaction'))[0]?.pool_mode).toBe('transaction');
    expect((await showPools(shared, 'session'))[0]?.pool_mode).toBe('session');
  });

  it('runs the PostgreSQL and PgBouncer it was asked for (MPGKIT_STACK_POSTGRES, MPGKIT_STACK_PGBOUNCER), as they answer', async () => {
    const [{ server_version_num }] = await query(shared.url('direct'), 'SHOW server_version_num');
    expect(String(server_version_num).slice(0, 2)).toBe(shared.state.postgresVersion);
    for (const mode of ['transaction', 'session'] as const) {
      const [version] = await poolerConsole<{ version: string }>(shared, mode, 'SHOW VERSION');
      expect(version?.version).toMatch(
        new RegExp(`^PgBouncer ${(shared.state.pgbouncerVersion ?? '1.18').replace('.', '\\.')}\\.`),
      );
    }
    expect(shared.state.postgresVersion).toBe(process.env.MPGKIT_STACK_POSTGRES || '16');
    expect(shared.state.pgbouncerVersion).toBe(process.env.MPGKIT_STACK_PGBOUNCER || '1.18');
  });

  it('has a second database and MPG-shaped roles: writer writes but cannot change the schema, reader only reads', async () => {
    await query(shared.url('direct'), 'CREATE TABLE IF NOT EXISTS roles_probe (id int)');
    await query(shared.url('transaction', { user: 'writer' }), 'INSERT INTO roles_probe VALUES (1)');
    await expect(
      query(shared.url('transaction', { user: 'writer' }), 'CREATE TABLE nope (id int)'),
    ).rejects.toThrow(/permission denied/);
    await expect(
      query(shared.url('session', { user: 'reader' }), 'INSERT INTO roles_probe VALUES (2)'),
    ).rejects.toThrow(/permission denied/);
    expect(
      await query(shared.url('session', { user: 'reader' }), 'SELECT count(*)::int AS n FROM roles_probe'),
    ).toEqual([{ n: 1 }]);
    const [row] = await query(
      shared.url('direct', { database: 'reports' }),
      'SELECT current_database() AS d',
    );
    expect(row).toEqual({ d: 'reports' });
  });

  it('writes the env of pnpm stack:up', () => {
    const env = shared.env();
    expect(Object.keys(env)).toEqual([
      'DATABASE_URL',
      'DATABASE_URL_SESSION',
      'DIRECT_DATABASE_URL',
      'MPGKIT_DRAIN_WINDOW_SECONDS',
      'MPGKIT_MAX_LIFETIME_SECONDS',
    ]);
    expect(env.DATABASE_URL).toContain(`:${shared.state.ports.transaction}/`);
    // The drain window is the proxy's hard stop; lifetime + the longest transaction must stay under it.
    const window = shared.state.proxy.hardStopAfterSeconds;
    expect([env.MPGKIT_DRAIN_WINDOW_SECONDS, env.MPGKIT_MAX_LIFETIME_SECONDS]).toEqual([
      `${window}`,
      `${window / 2}`,
    ]);
  });

  it('refuses startup parameters that PgBouncer does not support, like MPG', async () => {
    const client = new pg.Client({ connectionString: shared.url('transaction'), statement_timeout: 1000 });
    await expect(client.connect()).rejects.toThrow(/unsupported startup parameter/);
  });
});

describe('faults on a stack of its own', () => {
  it('drain: open connections live until the hard stop, new ones reach the new proxy at once', async () => {
    const stack = await startStack({ hardStopAfterSeconds: 1.5 });
    try {
      const old = new pg.Client({ connectionString: stack.url('transaction') });
      old.on('error', () => undefined);
      await old.connect();
      const { oldPid } = await stack.drain();
      // The old connection still works during the drain window...
      expect((await old.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      // ...new connections are served at once...
      expect(await query(stack.url('transaction'), 'SELECT 2 AS two')).toEqual([{ two: 2 }]);
      // ...and after the hard stop the old connection is cut.
      const ended = new Promise((resolve) => old.once('end', resolve));
      await ended;
      await expect(old.query('SELECT 1')).rejects.toThrow();
      await waitFor('the old proxy to exit', () => !isAlive(oldPid), 5_000);
    } finally {
      await stack.down();
    }
  });

  it('restarts poolers (with a pool-mode change), Postgres, and terminates backends', async () => {
    const stack = await startStack();
    try {
      await stack.restartPooler('session', { mode: 'transaction' });
      await query(stack.url('session'), 'SELECT 1'); // a pool row exists once a client used it
      expect((await showPools(stack, 'session'))[0]?.pool_mode).toBe('transaction');
      await stack.restartPostgres();
      expect(await query(stack.url('direct'), 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      const held = new pg.Client({ connectionString: stack.url('direct'), application_name: 'victim' });
      held.on('error', () => undefined);
      await held.connect();
      expect((await backendsByApplication(stack)).get('victim')).toBe(1);
      expect(await stack.terminateBackends({ applicationName: 'victim' })).toBe(1);
      await expect(held.query('SELECT 1')).rejects.toThrow();
    } finally {
      await stack.down();
    }
  });

  it('tears down completely: no process, no directory', async () => {
    const stack = await startStack();
    const pids = [
      readPid(`${stack.state.postgres.dataDir}/postmaster.pid`),
      readPid(stack.state.poolers.transaction.pidFile),
      readPid(stack.state.poolers.session.pidFile),
      ...stack.state.proxy.pids,
    ];
    expect(pids.every((pid) => pid !== undefined && isAlive(pid))).toBe(true);
    const all = [...pids, ...descendantsOf(pids as number[])];
    expect(all.length).toBeGreaterThan(pids.length); // the postmaster's own processes
    await stack.down();
    expect(existsSync(stack.state.dir)).toBe(false);
    for (const pid of all) expect(isAlive(pid!)).toBe(false);
  });
});
