import type { PoolMode } from '@mpgkit/core';
import type { Stack } from '../stack.ts';
import type { PolicyOptions } from './subject.ts';

/** Pool size the suite's policies use: small, so bounds are visible and queues form. */
export const SUITE_POOL_SIZE = 4;

/**
 * The MPG policy scaled down to the test stack's proxy: a 4 s drain window instead of 600 s, a lifetime
 * of at most 2 s (lifetime + the longest transaction must stay below the drain window), 1 s idle.
 */
export function scaledPolicyOptions(stack: Stack, mode: PoolMode, applicationName: string): PolicyOptions {
  return {
    env: stack.envFor(mode),
    poolMode: mode,
    poolSize: SUITE_POOL_SIZE,
    drainWindowSeconds: stack.state.proxy.hardStopAfterSeconds,
    maxLifetimeSeconds: stack.state.proxy.hardStopAfterSeconds / 2,
    idleTimeoutSeconds: 1,
    connectTimeoutSeconds: 5,
    applicationName,
  };
}
