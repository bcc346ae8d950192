import './vitest-context.ts';

export {
  defaultPostgresVersion,
  findBinaries,
  type PostgresVersion,
  type StackBinaries,
} from './binaries.ts';
export { SUITE_POOL_SIZE, scaledPolicyOptions } from './conformance/scaled-policy.ts';
export { errorOf } from './error-of.ts';
export { type FleetObservation, type FleetShape, simulateFleet } from './fleet-simulation.ts';
export { measureUntil } from './measure-until.ts';
export type { PoolerLimits } from './pgbouncer-pooler.ts';
export {
  type BackendRow,
  backends,
  backendsByApplication,
  type ClientRow,
  namedStatementsSeen,
  type PoolRow,
  poolerConsole,
  showClients,
  showPools,
  statementLogOffset,
  statementsSeen,
  tlsByApplication,
} from './probes.ts';
export { waitFor } from './process-control.ts';
export {
  attachStack,
  Stack,
  type StackOptions,
  type StackRoute,
  type StackState,
  type StackUser,
  startStack,
  sweepStacks,
  teardownStackSync,
} from './stack.ts';
