import type { Orm } from '../adapter-entries.ts';

// The shape of the catalogue's entries, and the failure phases that decide whether a retry is safe.

/**
 * When the failure happened, relative to the work being sent; it decides whether repeating the work is
 * safe.
 * - `connect`: before anything was sent (connecting, logging in, waiting for a pool slot or a server
 *   connection). Safe to retry any work.
 * - `rolled-back`: the server rolled the whole transaction back (serialization failure, deadlock). Safe.
 * - `in-flight`: the statement had been sent and its result never came: it may have run. Retry only
 *   idempotent work.
 * - `commit`: the connection died after COMMIT was sent: the transaction may have committed. Check first.
 * - `config`: a configuration or code error: the same work fails the same way.
 */
export type FailurePhase = 'connect' | 'rolled-back' | 'in-flight' | 'commit' | 'config';

/** Whether repeating the failed work is safe. */
export type RetryAdvice =
  /** Nothing reached the server (or the server rolled the whole transaction back): retry. */
  | 'safe'
  /** The statement may have run (or committed) before the connection died: retry only idempotent work. */
  | 'if-idempotent'
  /** Retrying gives the same error: fix the configuration or the code. */
  | 'never';

/**
 * Set on an error (as a symbol-keyed property) by code that knows in which phase it happened: the hardened
 * pg client on a failure while opening a connection (`connect`: nothing of the query was sent), on the
 * failure that ended a connection with a statement in flight (`in-flight`, or `commit` when it was COMMIT),
 * and on every later failure of that dead client (a ROLLBACK in a catch block), which then carries the
 * first failure's phase and, as `cause`, the first failure itself.
 *
 * @example
 * ```ts
 * Object.defineProperty(error, FAILURE_PHASE, { value: 'connect' });
 * ```
 */
export const FAILURE_PHASE: unique symbol = Symbol.for('mpgkit.failurePhase');

/** The phases code may mark on an error it saw first ({@link markFailurePhase}). */
export type MarkedPhase = 'connect' | 'in-flight' | 'commit';

/**
 * Marks an error with the phase it happened in, for errors mpgkit's own code sees first: the hardened pg
 * client's connect and its connection losses, the postgres.js login-cut socket. A mark never makes an error
 * look safer than one already on it (`connect` < `in-flight` < `commit`). Frozen errors are left.
 *
 * @example
 * ```ts
 * markFailurePhase(error, 'commit');
 * classifyError(error).phase; // 'commit'
 * ```
 */
export function markFailurePhase(error: unknown, phase: MarkedPhase): void {
  if (typeof error !== 'object' || error === null || !Object.isExtensible(error)) return;
  const current = markedPhaseOf(error);
  if (current !== undefined && MARK_ORDER[current] >= MARK_ORDER[phase]) return;
  Object.defineProperty(error, FAILURE_PHASE, { value: phase, configurable: true });
}

/**
 * {@link markFailurePhase} with `connect`: raised while connecting, nothing of the work was sent.
 *
 * @example
 * ```ts
 * markConnectPhase(error);
 * classifyError(error).phase; // 'connect'
 * ```
 */
export function markConnectPhase(error: unknown): void {
  markFailurePhase(error, 'connect');
}

/**
 * The phase marked on an error, if any.
 *
 * @example
 * ```ts
 * markedPhaseOf(error); // 'commit' after the hardened client saw COMMIT's connection die
 * ```
 */
export function markedPhaseOf(error: unknown): MarkedPhase | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as { [FAILURE_PHASE]?: unknown })[FAILURE_PHASE];
  return typeof value === 'string' && value in MARK_ORDER ? (value as MarkedPhase) : undefined;
}

/** How little each marked phase promises about what ran: higher is less safe to repeat. */
export const MARK_ORDER: Readonly<Record<MarkedPhase, number>> = Object.freeze({
  connect: 0,
  'in-flight': 1,
  commit: 2,
});

/** The retry advice each phase gives. */
export const RETRY_BY_PHASE: Readonly<Record<FailurePhase, RetryAdvice>> = Object.freeze({
  connect: 'safe',
  'rolled-back': 'safe',
  'in-flight': 'if-idempotent',
  commit: 'if-idempotent',
  config: 'never',
});

/** One error of the catalogue. */
export interface KnownError {
  readonly id: string;
  readonly title: string;
  /** SQLSTATEs the server (or PgBouncer) sends with it. */
  readonly sqlstates?: readonly string[];
  /** Driver and system codes (`ECONNRESET`, postgres.js `CONNECTION_CLOSED`, Prisma `P1017`). */
  readonly codes?: readonly string[];
  /** A code that counts only with one of these syscalls, e.g. ETIMEDOUT only while connecting. */
  readonly syscalls?: Readonly<Record<string, readonly string[]>>;
  readonly message?: RegExp;
  readonly cause: string;
  readonly fix: string;
  readonly fixFor?: Partial<Record<Orm, string>>;
  readonly transient: boolean;
  readonly phase: FailurePhase;
}

/**
 * PgBouncer sends its own errors with the generic SQLSTATE 08P01 (protocol_violation), whatever they
 * mean: among them, only the message tells them apart (measured on PgBouncer 1.18: wrong password,
 * query_wait_timeout, max_client_conn, unsupported startup parameter).
 */
export const POOLER_SQLSTATE = '08P01';
