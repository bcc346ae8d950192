import { readFileSync } from 'node:fs';
import { createPgPool, defineDatabase } from '@mpgkit/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { onDemandMeter, sumOf } from '../src/conformance/metrics-reader.ts';
import { GUARD_SETUP_SQL, SAFE_SQL, UNSAFE_SQL, UNSAFE_SQL_FOUND_IN_REVIEW } from '../src/guard-corpus.ts';
import { attachStack, statementLogOffset } from '../src/index.ts';

const stack = attachStack(inject('mpgkitStack'));
const metrics = await onDemandMeter();
const policy = defineDatabase({
  meter: metrics.meter,
  env: stack.envFor('transaction'),
  poolMode: 'transaction',
  transactionModeGuard: 'throw',
  applicationName: 'guard-test',
  logger: { warn() {} },
});
const pool = createPgPool(policy, pg.Pool);

describe('the transaction-mode guard, through a real transaction-mode PgBouncer', () => {
  beforeAll(async () => {
    const direct = new pg.Client({ connectionString: stack.url('direct') });
    await direct.connect();
    for (const sql of GUARD_SETUP_SQL) await direct.query(sql);
    await direct.end();
  });
  afterAll(async () => {
    await pool.end();
    await metrics.shutdown();
  });

  it(`stops all ${UNSAFE_SQL.length} unsafe statements before they reach the server`, async () => {
    const offset = statementLogOffset(stack);
    for (const [index, [sql, feature]] of UNSAFE_SQL.entries()) {
      await expect(pool.query(`${sql} /* guard-probe-${index} */`), sql).rejects.toMatchObject({
        code: 'SESSION_FEATURE_IN_TRANSACTION_MODE',
        details: { feature: expect.stringContaining(feature) },
      });
    }
    await pool.query('SELECT 1 /* guard-probe-control */'); // proves the log marker is visible when sent
    const log = readFileSync(stack.state.postgres.logFile).subarray(offset).toString();
    expect(log).toContain('guard-probe-control');
    expect(log).not.toMatch(/guard-probe-\d+/);
    // Each refusal is counted, by feature, through the real OpenTelemetry SDK.
    const points = await metrics.collect();
    expect(sumOf(points, 'mpgkit.db.client.guard.statements', { 'mpgkit.guard.action': 'refused' })).toBe(
      UNSAFE_SQL.length,
    );
    expect(
      sumOf(points, 'mpgkit.db.client.guard.statements', { 'mpgkit.guard.feature': 'LISTEN' }),
    ).toBeGreaterThan(0);
  });

  it(`lets all ${SAFE_SQL.length} safe statements through, and they succeed`, async () => {
    const client = await pool.connect();
    try {
      for (const sql of SAFE_SQL) await expect(client.query(sql), sql).resolves.toBeDefined();
    } finally {
      client.release();
    }
  });

  it(`negative control: the ${UNSAFE_SQL_FOUND_IN_REVIEW.length} statements found in review are valid SQL that runs on a direct session`, async () => {
    const direct = new pg.Client({ connectionString: stack.url('direct') });
    await direct.connect();
    try {
      for (const [sql] of UNSAFE_SQL_FOUND_IN_REVIEW) {
        await direct.query('BEGIN');
        await expect(direct.query(sql), sql).resolves.toBeDefined();
        await direct.query('ROLLBACK');
      }
    } finally {
      await direct.end();
    }
  });
});
