import { checkPoolBudget } from '@mpgkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FleetShape, simulateFleet } from '../src/fleet-simulation.ts';
import { type Stack, startStack } from '../src/index.ts';

// A small plan-shaped PgBouncer, so fleets that exceed it fit on one machine: 20 client connections,
// 6 database connections of which the last 2 are the reserve pool, released after 1 s.
const plan = { name: 'test-plan', maxClientConnections: 20, maxDatabaseConnections: 6, reservePool: 2 };

describe("core's budget verdict agrees with a real PgBouncer", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      limits: { ...plan, reservePoolTimeoutSeconds: 1, queryWaitTimeoutSeconds: 30 },
    });
  });
  afterAll(async () => {
    await stack?.down();
  });

  it.each<[string, FleetShape, string]>([
    [
      'session mode within the regular pool: all served at once',
      { mode: 'session', processes: 2, poolSize: 2 },
      'ok',
    ],
    [
      'session mode within the reserve only: served after the reserve timeout',
      { mode: 'session', processes: 2, poolSize: 3 },
      'reserve',
    ],
    [
      'session mode over the database limit: clients starve',
      { mode: 'session', processes: 4, poolSize: 3 },
      'over',
    ],
    [
      'transaction mode over the database limit, within the client limit: all served',
      { mode: 'transaction', processes: 4, poolSize: 4 },
      'ok',
    ],
    [
      'transaction mode over the client limit: connections refused',
      { mode: 'transaction', processes: 6, poolSize: 4 },
      'over',
    ],
  ])('%s', async (_, shape, expected) => {
    const predicted = checkPoolBudget({
      plan,
      poolMode: shape.mode,
      groups: [{ name: 'app', machines: shape.processes, poolSize: shape.poolSize }],
    }).verdict;
    const observed = await simulateFleet(stack, shape);
    expect(predicted).toBe(expected);
    expect(observed.observed).toBe(predicted);
    if (expected === 'over' && shape.mode === 'session') {
      expect(observed.maxWaiting).toBeGreaterThan(0); // the starvation is visible in SHOW POOLS
      expect(observed.starved).toBe(observed.connections - plan.maxDatabaseConnections);
    }
    if (expected === 'over' && shape.mode === 'transaction') {
      expect(observed.refused).toBeGreaterThan(0);
    }
  });
});
