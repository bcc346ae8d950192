import { createListener, createPgPool, defineDatabase, type Notification } from '@mpgkit/core';
import { applicationNameFor } from '@mpgkit/core/adapter';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onDemandMeter, sumOf } from '../src/conformance/metrics-reader.ts';
import { scaledPolicyOptions } from '../src/conformance/scaled-policy.ts';
import { type Stack, startStack } from '../src/index.ts';

// LISTEN must use the direct URL, which also passes through the restartable proxy: a drain cuts it too.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ hardStopAfterSeconds: 3 });
});
afterAll(() => stack?.down());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * NOTIFYs `count` payloads through the transaction pooler (NOTIFY works there), one per `everyMs`, in commit
 * order; `payloadOf` may repeat payloads.
 */
async function notifyStream(
  count: number,
  everyMs: number,
  duringStream: (index: number) => Promise<void> = async () => {},
  payloadOf: (index: number) => string = String,
) {
  const policy = defineDatabase({
    ...scaledPolicyOptions(stack, 'transaction', 'notifier'),
    logger: { warn() {} },
  });
  const pool = createPgPool(policy, pg.Pool);
  const sent: string[] = [];
  for (let i = 0; i < count; i++) {
    await pool.query("SELECT pg_notify('orders', $1)", [payloadOf(i)]);
    sent.push(payloadOf(i));
    await duringStream(i);
    await sleep(everyMs);
  }
  await pool.end();
  return sent;
}

describe('createListener across proxy drains', () => {
  it('receives a steady stream across two drains exactly as sent: in order, identical payloads distinct, 0 lost, 0 repeated', async () => {
    const metrics = await onDemandMeter();
    const policy = defineDatabase({
      ...scaledPolicyOptions(stack, 'transaction', 'listener'),
      logger: { warn() {} },
      meter: metrics.meter,
    });
    const received: string[] = [];
    const errors: Error[] = [];
    const listener = await createListener(policy, pg.Client, {
      channels: ['orders'],
      onNotification: (n: Notification) => received.push(n.payload),
      onError: (error) => errors.push(error),
    });
    // Payloads repeat every 5: a handover that collapsed identical notifications, repeated one or reordered
    // two would show in the sequence.
    const sent = await notifyStream(
      500,
      12,
      async (i) => {
        if (i === 100 || i === 330) await stack.drain();
      },
      (i) => `p${i % 5}`,
    );
    await sleep(500);
    await listener.stop();
    expect(sent).toHaveLength(500);
    expect(received.join(' ')).toBe(sent.join(' '));
    expect(listener.stats.recycles).toBeGreaterThan(2);
    expect(errors).toEqual([]);
    // Its metrics (real SDK): every recycle closed a connection by its lifetime, none by an error, and the
    // listener holds nothing once stopped.
    const points = await metrics.collect();
    const listening = { 'db.client.connection.pool.name': applicationNameFor(policy, 'listen') };
    const closed = (reason: string) =>
      sumOf(points, 'mpgkit.db.client.connection.closed', { ...listening, 'mpgkit.close.reason': reason });
    expect({ lifetime: closed('lifetime'), error: closed('error') }).toEqual({
      lifetime: listener.stats.recycles,
      error: 0,
    });
    expect(sumOf(points, 'db.client.connection.count', listening)).toBe(0);
    expect(sumOf(points, 'db.client.connection.create_time', listening)).toBe(listener.stats.recycles + 1);
    await metrics.shutdown();
  });

  it('negative control: a plain LISTEN client is cut at the hard stop and goes deaf', async () => {
    const client = new pg.Client({ connectionString: stack.url('direct') });
    const received: string[] = [];
    let cut = false;
    client.on('error', () => {
      cut = true;
    });
    client.on('end', () => {
      cut = true;
    });
    client.on('notification', (n) => received.push(n.payload ?? ''));
    await client.connect();
    await client.query('LISTEN orders');
    const sent = await notifyStream(400, 12, async (i) => {
      if (i === 50) await stack.drain();
    });
    await sleep(300);
    expect(cut).toBe(true);
    expect(received.length).toBeLessThan(sent.length);
  });

  it('reconnects after its backend is killed and keeps receiving (never silently deaf)', async () => {
    const metrics = await onDemandMeter();
    const policy = defineDatabase({
      ...scaledPolicyOptions(stack, 'transaction', 'listener-kill'),
      logger: { warn() {} },
      meter: metrics.meter,
    });
    const received: string[] = [];
    const errors: Error[] = [];
    const listener = await createListener(policy, pg.Client, {
      channels: ['orders'],
      onNotification: (n) => received.push(n.payload),
      onError: (error) => errors.push(error),
    });
    await stack.terminateBackends({ applicationName: applicationNameFor(policy, 'listen') });
    await sleep(1000);
    const sent = await notifyStream(20, 10);
    await sleep(300);
    await listener.stop();
    expect(errors.length).toBeGreaterThan(0);
    expect(listener.stats.reconnects).toBeGreaterThan(0);
    expect(sent.every((payload) => received.includes(payload))).toBe(true);
    // The killed connection is counted as closed by an error.
    expect(
      sumOf(await metrics.collect(), 'mpgkit.db.client.connection.closed', {
        'mpgkit.close.reason': 'error',
      }),
    ).toBeGreaterThanOrEqual(1);
    await metrics.shutdown();
  });
});
