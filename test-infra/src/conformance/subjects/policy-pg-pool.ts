// The first conformance subject: a plain node-postgres Pool built from a core Policy.
import { createPgPool, type Policy } from '@mpgkit/core';
import pg from 'pg';
import type { AppClient, MigrationClient } from '../subject.ts';

export function createAppClient(policy: Policy): AppClient {
  const pool = createPgPool(policy, pg.Pool);
  return pgAppClient(pool);
}

export function createMigrationClient(policy: Policy): MigrationClient {
  const pool = createPgPool(policy, pg.Pool, { target: 'direct', role: 'migrate' });
  return {
    query: async <R>(sql: string) => (await pool.query(sql)).rows as R[],
    close: () => pool.end(),
  };
}

/** The AppClient operations on any pg Pool (shared with the negative controls). */
export function pgAppClient(pool: pg.Pool, options: { statementName?: string } = {}): AppClient {
  const echoSql = 'SELECT $1::int AS n, $2::text AS s';
  return {
    async echo(n, s) {
      const query = options.statementName
        ? { name: options.statementName, text: echoSql, values: [n, s] }
        : { text: echoSql, values: [n, s] };
      return (await pool.query(query)).rows[0];
    },
    async transaction(n) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const first = await client.query('SELECT txid_current()::text AS id, $1::int AS n', [n]);
        const second = await client.query('SELECT txid_current()::text AS id');
        await client.query('COMMIT');
        client.release();
        return { n: first.rows[0].n, txids: [first.rows[0].id, second.rows[0].id] };
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
    },
    async sleep(seconds) {
      await pool.query('SELECT pg_sleep($1)', [seconds]);
    },
    async write(run, id) {
      await pool.query('INSERT INTO conformance_writes (run, id) VALUES ($1, $2)', [run, id]);
    },
    async writeInTransaction(run, id) {
      // https://node-postgres.com/features/transactions, as documented.
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO conformance_events (run, id) VALUES ($1, $2)', [run, id]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    async preparedEcho(n, s) {
      return (await pool.query({ name: 'conformance_prepared_echo', text: echoSql, values: [n, s] })).rows[0];
    },
    close: () => pool.end(),
  };
}
