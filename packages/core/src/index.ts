// @mpgkit/core: what an app calls. What adapter and tool authors need is in '@mpgkit/core/adapter'.

export type { Orm } from './adapter-entries.ts';
export { formatBudgetReport } from './budget/budget-report-text.ts';
export type {
  BudgetVerdict,
  PoolBudgetInput,
  PoolBudgetReport,
  ProcessGroup,
} from './budget/budget-types.ts';
export { type CustomPlanLimits, MPG_PLANS, type PlanLimits } from './budget/plans.ts';
export { checkPoolBudget } from './budget/pool-budget.ts';
export { type PoolSizeRecommendation, recommendPoolSizes } from './budget/pool-size-recommendation.ts';
export { isMpgkitError, MpgkitError, MpgkitErrorCode } from './errors.ts';
export {
  classifyError,
  type ErrorClassification,
  type ErrorExplanation,
  explainError,
} from './explain/explain-error.ts';
export type { FailurePhase, RetryAdvice } from './explain/known-error.ts';
export { type RetryOptions, retry } from './explain/retry.ts';
export { type DatabaseOptions, type FleetGroup, POLICY_DEFAULTS } from './policy/database-options.ts';
export { defineDatabase, type Policy } from './policy/policy.ts';
export { defineTemplate, type PolicyTemplate } from './policy/policy-template.ts';
export type { DeployStrategy, GuardMode, PoolMode } from './pooler.ts';
export { createListener, type Listener, type ListenerOptions, type Notification } from './pools/listener.ts';
export { createPgPool, type PgPoolOptions } from './pools/pg-pool.ts';
export { redactUrl } from './redact.ts';
