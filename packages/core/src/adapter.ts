// @mpgkit/core/adapter: what adapter and tool authors need to turn a policy into a driver's options.
// Apps import '@mpgkit/core'.

export {
  ADAPTER_ENTRIES,
  type AdapterEntries,
  type AdapterName,
  type AdapterOrm,
  ORMS,
} from './adapter-entries.ts';
export type {
  GroupUsage,
  PairUsage,
  PoolDeclaration,
  PoolRoute,
  PoolUsage,
} from './budget/budget-types.ts';
export {
  type ClusterAppInput,
  type ClusterAppUsage,
  type ClusterBudgetInput,
  type ClusterBudgetReport,
  checkClusterBudget,
} from './budget/cluster-budget.ts';
export { formatClusterReport } from './budget/cluster-report-text.ts';
export { resolvePlan } from './budget/plans.ts';
export type { PoolSizeRecommendationInput } from './budget/pool-size-recommendation.ts';
export type {
  ListenClientConfig,
  PgClientLike,
  PgConnectingClientLike,
  PgListenClientLike,
  PgPoolConfig,
  PgPoolLike,
} from './driver/pg-driver.ts';
export { guardedClientClass, guardPgClient, guardPgPool } from './guard/transaction-mode-guard.ts';
export {
  instrumentPgPool,
  type MeasuredPgPool,
  type PgPoolMetricsOptions,
} from './metrics/pg-pool-metrics.ts';
export {
  type ClosedConnection,
  type ConnectionCloseReason,
  closeReason,
  type MeterLike,
  type MetricAttributes,
  type ObservableResultLike,
  type PoolMetricsOptions,
  type PoolMetricsRecorder,
  type PoolState,
  recordPoolMetrics,
} from './metrics/pool-metrics.ts';
export type { PolicyLogger } from './policy/database-options.ts';
export { applicationNameFor, requireDirectUrl } from './policy/policy.ts';
export { DEPLOY_STRATEGIES, parseDeployStrategy, parsePoolMode } from './pooler.ts';
export {
  ConnectBackoff,
  type ConnectBackoffOptions,
  connectBackoffDelayMs,
  connectBackoffOptionsWithin,
  connectBackoffWithin,
  DEFAULT_CONNECT_BACKOFF,
  pgWithConnectBackoff,
  withConnectBackoff,
} from './pools/connect-backoff.ts';
export { lifetimeOver, startLifetime } from './pools/connection-lifetime.ts';
export {
  type Endpoint,
  type EndpointOptions,
  pgSslOf,
  type Route,
  resolveEndpoint,
} from './pools/endpoint.ts';
export {
  type HardenedPgClientOptions,
  hardenedPgClient,
  hardenedPgModule,
} from './pools/pg-hardened-client.ts';
export {
  attachPoolSafetyNet,
  type ConnectionErrorSite,
  type PoolSafetyNetOptions,
} from './pools/pg-pool.ts';
export { type PgPoolConfigOptions, toPgPoolConfig } from './pools/pg-pool-options.ts';
export { sendClientStatementsUnnamed, sendStatementsUnnamed } from './pools/unnamed-statements.ts';
export { redact, redactWhenPrinted } from './redact.ts';
export { type Column, formatTable } from './text-table.ts';
export {
  isLocalHost,
  parseTlsMode,
  type ResolvedTls,
  resolveTls,
  TLS_MODES,
  TLS_URL_PARAMS,
  type TlsMode,
  type TlsOptions,
  type TlsSource,
  tlsWarning,
} from './tls/tls.ts';
export {
  type NodeTlsOptions,
  toNodePostgresSsl,
  toPostgresJsSsl,
  toPrismaTlsParams,
} from './tls/tls-driver-options.ts';
export { closestName, type KnownKeys, rejectUnknownKeys } from './unknown-keys.ts';
export { type ConnectionParts, connectionParts } from './url/connection-parts.ts';
export {
  type ConnectionTarget,
  type ConnectionTls,
  type ConnectionUrls,
  type DirectUrlSource,
  PRISMA_URL_PARAMS,
  parseConnectionUrl,
  type ResolveConnectionUrlsOptions,
  removeQueryParams,
  resolveConnectionUrls,
} from './url/connection-url.ts';
export { requireGroupName, requirePositiveSeconds, requireWholeNumber } from './validation.ts';
