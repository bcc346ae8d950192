// @mpgkit/core/adapter: what adapter and tool authors need to turn a policy into a driver's options.
// Apps import '@mpgkit/core'.

export { ADAPTER_ENTRIES, type AdapterName, ORMS } from './adapter-entries.ts';
export { checkClusterBudget } from './budget/cluster-budget.ts';
export { formatClusterReport } from './budget/cluster-report-text.ts';
export { budgetInputOf, shareVerdictOf } from './budget/fleet-budget.ts';
export { resolvePlan } from './budget/plans.ts';
export type { PgClientLike, PgConnectingClientLike, PgPoolConfig } from './driver/pg-driver.ts';
export { markConnectPhase, markFailurePhase } from './explain/known-error.ts';
export { findSessionFeature } from './guard/session-features.ts';
export { guardPgClient, guardStatement } from './guard/transaction-mode-guard.ts';
export {
  instrumentPgPool,
  type MeasuredPgPool,
  type PgPoolMetricsOptions,
} from './metrics/pg-pool-metrics.ts';
export { type MeterLike, type PoolMetricsOptions, recordPoolMetrics } from './metrics/pool-metrics.ts';
export type { PolicyLogger } from './policy/database-options.ts';
export { applicationNameFor, requireDirectUrl } from './policy/policy.ts';
export { DEPLOY_STRATEGIES, parsePoolMode } from './pooler.ts';
export { connectBackoffDelayMs, connectBackoffOptionsWithin } from './pools/connect-backoff.ts';
export { lifetimeOver, startLifetime } from './pools/connection-lifetime.ts';
export { type Endpoint, pgSslOf, resolveEndpoint } from './pools/endpoint.ts';
export { hardenedPgClient, hardenedPgModule } from './pools/pg-hardened-client.ts';
export { attachPoolSafetyNet } from './pools/pg-pool.ts';
export { type PgPoolConfigOptions, toPgPoolConfig } from './pools/pg-pool-options.ts';
export { sendStatementsUnnamed } from './pools/unnamed-statements.ts';
export { redact, redactWhenPrinted } from './redact.ts';
export { formatTable } from './text-table.ts';
export type { ResolvedTls, TlsMode } from './tls/tls.ts';
export { type NodeTlsOptions, toPostgresJsSsl, toPrismaTlsParams } from './tls/tls-driver-options.ts';
export { type KnownKeys, rejectUnknownKeys } from './unknown-keys.ts';
export { connectionParts } from './url/connection-parts.ts';
export { PRISMA_URL_PARAMS, removeQueryParams } from './url/connection-url.ts';
export { requireGroupName, requirePositiveSeconds, requireWholeNumber } from './validation.ts';
