// @mpgkit/core: what an app calls. What adapter and tool authors need is in '@mpgkit/core/adapter'.

export { formatBudgetReport } from './budget-report-text.ts';
export type {
  BudgetVerdict,
  PoolBudgetInput,
  PoolBudgetReport,
  ProcessGroup,
} from './budget-types.ts';
export type { FailurePhase, Orm, RetryAdvice } from './connection-errors.ts';
export { isMpgkitError, MpgkitError, MpgkitErrorCode } from './errors.ts';
export {
  classifyError,
  type ErrorClassification,
  type ErrorExplanation,
  explainError,
} from './explain-error.ts';
export { createListener, type Listener, type ListenerOptions, type Notification } from './listener.ts';
export { createPgPool, type PgPoolOptions } from './pg-pool.ts';
export { type CustomPlanLimits, MPG_PLANS, type PlanLimits } from './plans.ts';
export {
  type DatabaseOptions,
  defineDatabase,
  type FleetGroup,
  POLICY_DEFAULTS,
  type Policy,
} from './policy.ts';
export { defineTemplate, type PolicyTemplate } from './policy-template.ts';
export { checkPoolBudget } from './pool-budget.ts';
export { type PoolSizeRecommendation, recommendPoolSizes } from './pool-size-recommendation.ts';
export type { DeployStrategy, GuardMode, PoolMode } from './pooler.ts';
export { redactUrl } from './redact.ts';
export { type RetryOptions, retry } from './retry.ts';
