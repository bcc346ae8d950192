import { fileURLToPath } from 'node:url';
import { defineDatabase, type Policy } from '@mpgkit/core';
import { type Stack, scaledPolicyOptions, showClients, startStack } from '@mpgkit/test-infra';
import { type ConformanceSubject, loadAcrossDrain } from '@mpgkit/test-infra/conformance';
import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnex } from '../src/index.ts';

// knex's pool has no lifetime of its own before 3.2 (knex#5119): the same drain the conformance suite runs
// must hurt knex with its defaults, and the lifetime mpgkit adds must show at PgBouncer, in the same run.
const defaults: ConformanceSubject = {
  name: 'knex with its defaults',
  module: fileURLToPath(new URL('./knex-defaults-subject.ts', import.meta.url)),
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('knex: negative controls and the lifetime seen at PgBouncer', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.down();
  });

  it('knex with its defaults fails or crashes across the drain the conformance suite survives', async () => {
    const outcome = await loadAcrossDrain({ stack, mode: 'transaction', subject: defaults });
    expect(outcome.crashed || outcome.failed > 0).toBe(true);
  });

  // Under a steady load every connection is acquired again within milliseconds, so a connection PgBouncer
  // still shows open is one the pool would still hand out. Sampled every 100 ms by client port.
  async function oldestClientUnderLoad(db: Knex, applicationName: string, seconds: number): Promise<number> {
    const firstSeen = new Map<number, number>();
    let oldest = 0;
    let running = true;
    const loops = Array.from({ length: 4 }, async () => {
      while (running) {
        await db.raw('SELECT 1');
        await sleep(2);
      }
    });
    for (const until = Date.now() + seconds * 1000; Date.now() < until; await sleep(100)) {
      const now = Date.now();
      for (const client of await showClients(stack, 'transaction')) {
        if (client.application_name !== applicationName) continue;
        const since = firstSeen.get(client.port) ?? now;
        firstSeen.set(client.port, since);
        oldest = Math.max(oldest, (now - since) / 1000);
      }
    }
    running = false;
    await Promise.all(loops);
    await db.destroy();
    return oldest;
  }

  it('no connection outlives its drawn lifetime under load (PgBouncer SHOW CLIENTS); knex defaults keep them', async () => {
    const policy: Policy = defineDatabase({
      ...scaledPolicyOptions(stack, 'transaction', 'knex-lifetime'),
      logger: { warn() {} },
    });
    const run = policy.lifetime.maxSeconds * 2 + 1;
    const withPolicy = await oldestClientUnderLoad(createKnex(policy), 'knex-lifetime', run);
    const plain = await oldestClientUnderLoad(
      knex({
        client: 'pg',
        connection: { connectionString: policy.urls.pooled, application_name: 'knex-plain' },
      }),
      'knex-plain',
      run,
    );
    // The sampling interval (0.1 s) and one acquire's gap are the only slack.
    expect(withPolicy).toBeLessThanOrEqual(policy.lifetime.maxSeconds + 0.3);
    expect(withPolicy).toBeGreaterThan(policy.lifetime.minSeconds * 0.5);
    expect(plain).toBeGreaterThan(policy.lifetime.maxSeconds + 1);
  });
});
