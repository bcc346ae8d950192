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
} from './budget-types.ts';
export {
  type ClusterAppInput,
  type ClusterAppUsage,
  type ClusterBudgetInput,
  type ClusterBudgetReport,
  checkClusterBudget,
} from './cluster-budget.ts';
export { formatClusterReport } from './cluster-report-text.ts';
export {
  ConnectBackoff,
  type ConnectBackoffOptions,
  connectBackoffDelayMs,
  connectBackoffOptionsWithin,
  connectBackoffWithin,
  DEFAULT_CONNECT_BACKOFF,
  pgWithConnectBackoff,
  withConnectBackoff,
} from './connect-backoff.ts';
export { lifetimeOver, startLifetime } from './connection-lifetime.ts';
export { type ConnectionParts, connectionParts } from './connection-parts.ts';
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
} from './connection-url.ts';
export { type Endpoint, type EndpointOptions, pgSslOf, type Route, resolveEndpoint } from './endpoint.ts';
export type {
  ListenClientConfig,
  PgClientLike,
  PgConnectingClientLike,
  PgListenClientLike,
  PgPoolConfig,
  PgPoolLike,
} from './pg-driver.ts';
export {
  type HardenedPgClientOptions,
  hardenedPgClient,
  hardenedPgModule,
} from './pg-hardened-client.ts';
export {
  attachPoolSafetyNet,
  type ConnectionErrorSite,
  type PoolSafetyNetOptions,
} from './pg-pool.ts';
export { instrumentPgPool, type MeasuredPgPool, type PgPoolMetricsOptions } from './pg-pool-metrics.ts';
export { type PgPoolConfigOptions, toPgPoolConfig } from './pg-pool-options.ts';
export { resolvePlan } from './plans.ts';
export { applicationNameFor, type PolicyLogger, requireDirectUrl } from './policy.ts';
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
} from './pool-metrics.ts';
export type { PoolSizeRecommendationInput } from './pool-size-recommendation.ts';
export { DEPLOY_STRATEGIES, parseDeployStrategy, parsePoolMode } from './pooler.ts';
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
} from './tls.ts';
export {
  type NodeTlsOptions,
  toNodePostgresSsl,
  toPostgresJsSsl,
  toPrismaTlsParams,
} from './tls-driver-options.ts';
export { guardedClientClass, guardPgClient, guardPgPool } from './transaction-mode-guard.ts';
export { closestName, type KnownKeys, rejectUnknownKeys } from './unknown-keys.ts';
export { sendClientStatementsUnnamed, sendStatementsUnnamed } from './unnamed-statements.ts';
export { requireGroupName, requirePositiveSeconds, requireWholeNumber } from './validation.ts';
