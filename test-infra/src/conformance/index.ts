export { describeAdapterEntries, missingEntries } from './adapter-entries.ts';
export { describeDefaultsControl } from './defaults-control.ts';
export type { LoadOutcome, LoadResult } from './load-protocol.ts';
export { LoadRun } from './run-load.ts';
export { SUITE_POOL_SIZE, scaledPolicyOptions } from './scaled-policy.ts';
export {
  type ClientAgeOutcome,
  type ConcurrencyOutcome,
  collectBesidePgBouncer,
  concurrentQueries,
  errorsFromFaults,
  FAULTS,
  type Fault,
  type FaultOutcome,
  type IdleKillOutcome,
  idleConnectionsKilled,
  loadAcrossDrain,
  loadAcrossFault,
  type MigrationRoutingOutcome,
  migrationRouting,
  oldestClientUnderLoad,
  POSTGRES_CRASH,
  type PoolBoundOutcome,
  poolSizeBound,
  type ScenarioContext,
  type SettingsOutcome,
  settingsReachedDriver,
} from './scenarios.ts';
export type {
  AppClient,
  ConformanceSubject,
  MigrationClient,
  PolicyOptions,
  SubjectModule,
} from './subject.ts';
export { type ConformanceOptions, describeConformance } from './suite.ts';
