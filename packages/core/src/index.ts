export { formatBudgetReport } from './budget-report-text.ts';
export {
  classifyError,
  type ErrorClassification,
  type ErrorExplanation,
  explainError,
  type Orm,
  type RetryAdvice,
} from './connection-errors.ts';
export {
  type ConnectionTarget,
  type ConnectionUrls,
  classifyConnectionUrl,
  type DirectUrlSource,
  databaseOf,
  deriveDirectUrl,
  PRISMA_URL_PARAMS,
  parseConnectionUrl,
  type ResolveConnectionUrlsOptions,
  removeQueryParams,
  resolveConnectionUrls,
  withCredentials,
  withDatabase,
} from './connection-url.ts';
export { isMpgkitError, MpgkitError, MpgkitErrorCode, type MpgkitErrorOptions } from './errors.ts';
export {
  createListener,
  type ListenClientConfig,
  type Listener,
  type ListenerOptions,
  type Notification,
  type PgListenClientLike,
} from './listener.ts';
export {
  attachPoolSafetyNet,
  type ConnectionErrorSite,
  createPgPool,
  type PgClientLike,
  type PgPoolLike,
  type PoolSafetyNetOptions,
  sendStatementsUnnamed,
} from './pg-pool.ts';
export { type PgPoolConfig, type PgPoolConfigOptions, toPgPoolConfig } from './pg-pool-options.ts';
export { type CustomPlanLimits, MPG_PLANS, type MpgPlanName, type PlanLimits, resolvePlan } from './plans.ts';
export {
  applicationNameFor,
  type DatabaseOptions,
  defineDatabase,
  drawLifetime,
  type FleetGroup,
  type LifetimeRange,
  POLICY_DEFAULTS,
  type Policy,
  type PolicyLogger,
  requireDirectUrl,
} from './policy.ts';
export {
  type BudgetVerdict,
  checkPoolBudget,
  DEPLOY_STRATEGIES,
  type DeployStrategy,
  type GroupUsage,
  POOL_MODES,
  type PoolBudgetInput,
  type PoolBudgetReport,
  type PoolMode,
  type PoolSizeRecommendation,
  type PoolSizeRecommendationInput,
  type ProcessGroup,
  recommendPoolSizes,
} from './pool-budget.ts';
export { REDACTED, redact, redactUrl } from './redact.ts';
export { type RetryOptions, retry } from './retry.ts';
export { type SqlToken, splitStatements, tokenizeSql } from './sql-tokens.ts';
export {
  checkPgQuery,
  findSessionFeature,
  type GuardMode,
  guardedClientClass,
  guardPgClient,
  guardPgPool,
  type SessionFeature,
  sessionFeatureError,
} from './transaction-mode-guard.ts';
