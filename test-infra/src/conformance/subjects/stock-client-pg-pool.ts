// Negative control: a pool with the policy's options and error listeners, but pg's own Client instead of
// core's hardened one: what an app gets when it builds `new pg.Pool(toPgPoolConfig(policy))` and handles
// errors itself. A failure while logging in then reaches the query as pg raises it ("Connection terminated
// unexpectedly"), unmarked, and reads like a query cut in flight.
import type { Policy } from '@mpgkit/core';
import { toPgPoolConfig } from '@mpgkit/core/adapter';
import pg from 'pg';
import type { AppClient } from '../subject.ts';
import { pgAppClient } from './policy-pg-pool.ts';

export function createAppClient(policy: Policy): AppClient {
  const pool = new pg.Pool(toPgPoolConfig(policy));
  // Idle and checked-out connections that die must not crash the process: only the login marking is missing.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pgAppClient(pool);
}
