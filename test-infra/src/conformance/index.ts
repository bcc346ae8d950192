export { describeAdapterEntries, missingEntries } from './adapter-entries.ts';
export { describeDefaultsControl } from './defaults-control.ts';
export type { LoadOutcome, LoadResult } from './load-protocol.ts';
export { LoadRun } from './run-load.ts';
export { SUITE_POOL_SIZE, scaledPolicyOptions } from './scaled-policy.ts';
export {
  type ClientAgeOutcome,
  oldestClientUnderLoad,
  type SettingsOutcome,
  settingsReachedDriver,
} from './scenarios/01-settings-reached-driver.ts';
export { type ConcurrencyOutcome, concurrentQueries } from './scenarios/02-concurrent-queries.ts';
export { collectBesidePgBouncer, loadAcrossDrain } from './scenarios/03-load-across-drain.ts';
export {
  FAULTS,
  type Fault,
  type FaultOutcome,
  loadAcrossFault,
  POSTGRES_CRASH,
} from './scenarios/03b-faults-under-load.ts';
export { type IdleKillOutcome, idleConnectionsKilled } from './scenarios/04-idle-connections-killed.ts';
export { type MigrationRoutingOutcome, migrationRouting } from './scenarios/05-migration-routing.ts';
export { type PoolBoundOutcome, poolSizeBound } from './scenarios/06-pool-size-bound.ts';
export { errorsFromFaults } from './scenarios/07-errors-from-faults.ts';
export { type CommitLostOutcome, commitLost } from './scenarios/09-commit-lost.ts';
export type { ScenarioContext } from './scenarios/context.ts';
export type {
  AppClient,
  ConformanceSubject,
  MigrationClient,
  PolicyOptions,
  SubjectModule,
} from './subject.ts';
export { type ConformanceOptions, describeConformance } from './suite.ts';
