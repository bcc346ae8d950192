import type { BudgetVerdict, PoolMode } from '@mpgkit/core';
import pg from 'pg';
import { showPools } from './probes.ts';
import type { Stack } from './stack.ts';

/** A fleet to simulate: `processes` pools of `poolSize` connections each, all busy at once. */
export interface FleetShape {
  mode: PoolMode;
  processes: number;
  poolSize: number;
}

/** What a real PgBouncer did with the fleet. */
export interface FleetObservation {
  connections: number;
  /** Connections PgBouncer refused (`no more connections allowed (max_client_conn)`). */
  refused: number;
  /** Connections that completed at least one query in the window. */
  served: number;
  /** Connected but never served in the window. */
  starved: number;
  /** Most clients waiting at once, from SHOW POOLS `cl_waiting`. */
  maxWaiting: number;
  /** Slowest time from connecting to a first answer (reserve pool connections come after `reserve_pool_timeout`). */
  maxFirstQueryMs: number;
  /** The verdict this behaviour corresponds to. */
  observed: BudgetVerdict;
}

/**
 * Opens every connection of the fleet at once through the proxy and keeps each busy (short queries in a
 * loop) for `windowMs`, sampling SHOW POOLS. Session mode pins a server connection to each client for
 * its whole life, so clients beyond the database limit (plus reserve) starve; transaction mode shares
 * server connections per query, so every accepted client is served; clients beyond `max_client_conn`
 * are refused in either mode.
 */
export async function simulateFleet(
  stack: Stack,
  shape: FleetShape,
  windowMs = 2_500,
): Promise<FleetObservation> {
  const count = shape.processes * shape.poolSize;
  // PgBouncer queues a session-mode client from its login on, so waits are measured from before connecting.
  const started = performance.now();
  const clients = await Promise.all(
    Array.from({ length: count }, async () => {
      const client = new pg.Client({ connectionString: stack.url(shape.mode), application_name: 'fleet' });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return client;
      } catch {
        return undefined;
      }
    }),
  );
  const connected = clients.filter((client): client is pg.Client => client !== undefined);
  const firstQueryMs: number[] = [];
  let running = true;
  const loops = connected.map(async (client) => {
    let first = true;
    while (running) {
      try {
        await client.query('SELECT pg_sleep(0.05)');
      } catch {
        return;
      }
      if (first) {
        firstQueryMs.push(performance.now() - started);
        first = false;
      }
    }
  });
  let maxWaiting = 0;
  while (performance.now() - started < windowMs) {
    const pools = await showPools(stack, shape.mode);
    maxWaiting = Math.max(maxWaiting, ...pools.map((pool) => pool.cl_waiting));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  running = false;
  // Waiting clients never finish their query: closing the connection ends the loop.
  await Promise.all(connected.map((client) => client.end().catch(() => undefined)));
  await Promise.all(loops);

  const refused = count - connected.length;
  const served = firstQueryMs.length;
  const starved = connected.length - served;
  const maxFirstQueryMs = Math.max(0, ...firstQueryMs);
  const reserveTimeoutMs = stack.state.poolers[shape.mode].limits.reservePoolTimeoutSeconds * 1000;
  const observed: BudgetVerdict =
    refused > 0 || starved > 0
      ? 'over'
      : shape.mode === 'session' && maxFirstQueryMs >= reserveTimeoutMs * 0.9
        ? 'reserve'
        : 'ok';
  return { connections: count, refused, served, starved, maxWaiting, maxFirstQueryMs, observed };
}
