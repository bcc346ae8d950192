/**
 * Every code an {@link MpgkitError} can carry. Match errors on `error.code`, never with
 * `instanceof` across packages (two copies of core may be installed side by side).
 *
 * @example
 * ```ts
 * try { defineDatabase() } catch (error) {
 *   if (isMpgkitError(error) && error.code === MpgkitErrorCode.MissingEnvVar) { ... }
 * }
 * ```
 */
export const MpgkitErrorCode = {
  /** A required environment variable is unset or empty. */
  MissingEnvVar: 'MISSING_ENV_VAR',
  /** A connection string is not a usable `postgres://` URL. */
  InvalidConnectionUrl: 'INVALID_CONNECTION_URL',
  /** No direct URL was given and none could be derived from the pooled one. */
  MissingDirectUrl: 'MISSING_DIRECT_URL',
  /** The URL given as direct points at the pooler (or the reverse, where that matters). */
  WrongConnectionTarget: 'WRONG_CONNECTION_TARGET',
  /** A plan name that is not in the plan table. */
  UnknownPlan: 'UNKNOWN_PLAN',
  /** An option has a value outside what is allowed. */
  InvalidOption: 'INVALID_OPTION',
  /** The fleet's connections do not fit the plan's binding limit. */
  PoolBudgetExceeded: 'POOL_BUDGET_EXCEEDED',
  /** A migration failed; the ORM's error is the `cause`. */
  MigrationFailed: 'MIGRATION_FAILED',
  /** An adapter option that cannot work with the policy (e.g. named statements in transaction mode). */
  UnsafeAdapterOption: 'UNSAFE_ADAPTER_OPTION',
  /** A session-only feature was about to go through a transaction pooler. */
  SessionFeatureInTransactionMode: 'SESSION_FEATURE_IN_TRANSACTION_MODE',
  /** An app tried to loosen a safety setting of its organisation's policy template. */
  WeakensTemplate: 'WEAKENS_TEMPLATE',
  /** A driver version measured to fail behind the pooler the policy reaches; the message names one that works. */
  UnsupportedDriver: 'UNSUPPORTED_DRIVER',
} as const;

/** One of the values of {@link MpgkitErrorCode}. */
export type MpgkitErrorCode = (typeof MpgkitErrorCode)[keyof typeof MpgkitErrorCode];

/** Options of the {@link MpgkitError} constructor. */
export interface MpgkitErrorOptions {
  /** The lower-level error, kept for debugging. It must not carry a password. */
  cause?: unknown;
  /** Structured facts about the error (for `--json` output and logs). Never a password. */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * The one error class of mpgkit. Its message says what went wrong and what to do; it never contains
 * a password.
 *
 * @example
 * ```ts
 * throw new MpgkitError(MpgkitErrorCode.UnknownPlan, 'Unknown plan "huge". Use one of: basic, ...');
 * ```
 */
export class MpgkitError extends Error {
  /** Stable, machine-readable code. */
  readonly code: MpgkitErrorCode;
  /** Structured facts about the error. @default {} */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: MpgkitErrorCode, message: string, options: MpgkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MpgkitError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

const knownCodes: ReadonlySet<string> = new Set(Object.values(MpgkitErrorCode));

/**
 * True when `error` is an mpgkit error, from this copy of core or any other.
 *
 * @example
 * ```ts
 * if (isMpgkitError(error, MpgkitErrorCode.PoolBudgetExceeded)) console.error(error.message);
 * ```
 */
export function isMpgkitError(error: unknown, code?: MpgkitErrorCode): error is MpgkitError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: unknown; code?: unknown };
  if (candidate.name !== 'MpgkitError' || typeof candidate.code !== 'string') return false;
  if (!knownCodes.has(candidate.code)) return false;
  return code === undefined || candidate.code === code;
}
