import type { Orm } from '../adapter-entries.ts';
import { errorCatalogue } from './connection-errors.ts';
import {
  type FailurePhase,
  type KnownError,
  MARK_ORDER,
  type MarkedPhase,
  markedPhaseOf,
  POOLER_SQLSTATE,
  RETRY_BY_PHASE,
  type RetryAdvice,
} from './known-error.ts';

/** What an error means, from {@link explainError}. */
export interface ErrorExplanation {
  /** Stable id, e.g. `prepared-statement-missing`. */
  readonly id: string;
  readonly title: string;
  readonly cause: string;
  /** The fix, for the given ORM when one was named. */
  readonly fix: string;
  /** True when the condition passes by itself (a restart, a full pool); false for configuration bugs. */
  readonly transient: boolean;
  /** When it failed: before anything was sent, in flight, during COMMIT, or a configuration error. */
  readonly phase: FailurePhase;
  /** Whether repeating the work is safe, from the phase. */
  readonly retry: RetryAdvice;
}

/**
 * Explains an error (an Error from any driver or ORM, or its text): cause, fix (for the ORM, when named),
 * when in the query's life it failed, and whether a retry is safe. Covers every error in MPG's
 * troubleshooting guide and the pooler errors users meet. A SQLSTATE the server sent wins over message
 * text; a connection lost while COMMIT was in flight is its own case (the write may have committed).
 * Returns `undefined` for errors it does not know.
 *
 * @param orm - Tailor the fix to this ORM. @default undefined (a general fix)
 * @example
 * ```ts
 * explainError(error, 'prisma')?.fix;
 * explainError('prepared statement "s0" already exists')?.id; // 'prepared-statement-exists'
 * ```
 */
export function explainError(error: unknown, orm?: Orm): ErrorExplanation | undefined {
  const facts = factsOf(error);
  // A SQLSTATE the server sent decides among the entries that carry it: a user exception (P0001) whose
  // text says "connection reset by peer" is not a connection reset. PgBouncer's own errors all come as
  // 08P01, so there the message decides.
  const state = facts.sqlstates.find((sqlstate) => sqlstate !== POOLER_SQLSTATE);
  const catalogue = errorCatalogue();
  const candidates =
    state === undefined ? catalogue : catalogue.filter((entry) => entry.sqlstates?.includes(state));
  const known =
    candidates.find((entry) => matchesMessage(entry, facts)) ??
    candidates.find((entry) => matchesCode(entry, facts));
  if (known === undefined) return undefined;
  // A mark says what mpgkit's own code saw happen (known-error.ts FAILURE_PHASE): a connection lost while
  // opening sent nothing; an error on a client whose connection died with COMMIT in flight (a ROLLBACK in a
  // catch block) inherits that COMMIT's unknown outcome, whatever its own text says.
  const marked = facts.marked;
  const connecting = marked === 'connect' && known.phase === 'in-flight';
  const sendingPhase = known.phase === 'connect' || known.phase === 'in-flight';
  const committing =
    (facts.committing && known.phase === 'in-flight' && !connecting) || (marked === 'commit' && sendingPhase);
  const explained = committing
    ? (catalogue.find((entry) => entry.id === 'commit-outcome-unknown') ?? known)
    : known;
  const followsLoss = !committing && marked === 'in-flight' && known.phase === 'connect';
  const phase = connecting ? 'connect' : followsLoss ? 'in-flight' : explained.phase;
  return Object.freeze({
    id: explained.id,
    title: explained.title,
    cause: connecting
      ? `${explained.cause} It happened while the connection was being opened: nothing was sent.`
      : followsLoss
        ? `${explained.cause} It followed the loss of the connection with a statement in flight: that statement may have run.`
        : explained.cause,
    fix: (orm && explained.fixFor?.[orm]) ?? explained.fix,
    transient: explained.transient,
    phase,
    retry: RETRY_BY_PHASE[phase],
  });
}

/** What {@link classifyError} decides. */
export interface ErrorClassification {
  /** The condition passes by itself. */
  readonly transient: boolean;
  /**
   * Repeating the work is safe: nothing was sent, or the server rolled it back; after the statement was
   * sent (or COMMIT was), only when the caller said the work is idempotent.
   */
  readonly retrySafe: boolean;
  /** When it failed; `undefined` for errors mpgkit does not know. */
  readonly phase: FailurePhase | undefined;
  /** The catalogue id, when known. */
  readonly id: string | undefined;
}

/**
 * Whether an error is transient and whether repeating the work is safe. Only a failure that proves the
 * statement never reached the server (refused, DNS, connect timeout, a login refused by Postgres or
 * PgBouncer, no pool slot) or that the server rolled back is safe for any work; a failure after the
 * statement was sent is safe only for idempotent work. Unknown errors are never retried.
 *
 * @param options.idempotent - The work can run twice without harm. @default false
 * @example
 * ```ts
 * classifyError(error, { idempotent: true }).retrySafe;
 * ```
 */
export function classifyError(error: unknown, options: { idempotent?: boolean } = {}): ErrorClassification {
  const explanation = explainError(error);
  if (explanation === undefined) {
    return Object.freeze({ transient: false, retrySafe: false, phase: undefined, id: undefined });
  }
  const retrySafe =
    explanation.retry === 'safe' || (explanation.retry === 'if-idempotent' && (options.idempotent ?? false));
  return Object.freeze({
    transient: explanation.transient,
    retrySafe,
    phase: explanation.phase,
    id: explanation.id,
  });
}

interface ErrorFacts {
  messages: string[];
  /** SQLSTATEs, from the server (or PgBouncer) or written in the text. */
  sqlstates: string[];
  /** Driver and system codes. */
  codes: string[];
  syscalls: string[];
  /** The failed statement was a COMMIT (ORMs keep the query on their errors). */
  committing: boolean;
  /** The least safe phase marked on any layer (known-error.ts FAILURE_PHASE). */
  marked: MarkedPhase | undefined;
}

// A SQLSTATE is five characters whose first two are a class Postgres defines: digits, or F0, HV, P0, XX.
// That tells 'EPIPE' (a system code) and Prisma's 'P1001' (a Prisma code) from real SQLSTATEs.
const SQLSTATE = /^(?:\d\d|F0|HV|P0|XX)[0-9A-Z]{3}$/;
const COMMIT = /^\s*(?:commit|end)\b/i;

// ORMs wrap driver errors: Drizzle and TypeORM in `cause` / `driverError` (with the failed `query`),
// Prisma 7 in `meta.driverAdapterError.cause`. Look through up to a few layers.
function factsOf(error: unknown): ErrorFacts {
  const facts: ErrorFacts = {
    messages: [],
    sqlstates: [],
    codes: [],
    syscalls: [],
    committing: false,
    marked: undefined,
  };
  const queue: unknown[] = [error];
  for (let seen = 0; queue.length > 0 && seen < 8; seen++) {
    const current = queue.shift();
    if (typeof current === 'string') {
      facts.messages.push(current);
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    const record = current as Record<string, unknown>;
    for (const key of ['message', 'originalMessage']) {
      if (typeof record[key] === 'string') facts.messages.push(record[key] as string);
    }
    for (const key of ['code', 'originalCode', 'sqlState', 'errno']) {
      const value = record[key];
      if (typeof value === 'string') (SQLSTATE.test(value) ? facts.sqlstates : facts.codes).push(value);
    }
    if (typeof record.syscall === 'string') facts.syscalls.push(record.syscall);
    const marked = markedPhaseOf(current);
    if (
      marked !== undefined &&
      (facts.marked === undefined || MARK_ORDER[marked] > MARK_ORDER[facts.marked])
    ) {
      facts.marked = marked;
    }
    for (const key of ['query', 'sql']) {
      if (typeof record[key] === 'string' && COMMIT.test(record[key] as string)) facts.committing = true;
    }
    const meta = record.meta as Record<string, unknown> | undefined;
    // Where each ORM keeps the driver's error: `cause`; TypeORM's QueryFailedError `driverError`; Sequelize's
    // errors `parent` and `original` (sequelize 6 lib/errors/connection-error.js, database-error.js); Prisma's
    // `meta.driverAdapterError`.
    queue.push(
      record.cause,
      record.driverError,
      record.parent,
      record.original,
      record.originalError,
      meta?.driverAdapterError,
      ...(Array.isArray(record.errors) ? record.errors : []),
    );
  }
  // A SQLSTATE may also be written in text ("SQLSTATE 53300", "code: '26000'"), never as any five characters.
  for (const message of facts.messages) {
    for (const match of message.matchAll(/\b(?:sqlstate|code)\W{0,3}([0-9A-Z]{5})\b/gi)) {
      const state = (match[1] ?? '').toUpperCase();
      if (SQLSTATE.test(state)) facts.sqlstates.push(state);
    }
  }
  return facts;
}

function matchesMessage(entry: KnownError, facts: ErrorFacts): boolean {
  return entry.message !== undefined && facts.messages.some((message) => entry.message?.test(message));
}

// PgBouncer's 08P01 says nothing by itself: entries that carry it match by message only.
function matchesCode(entry: KnownError, facts: ErrorFacts): boolean {
  if (entry.sqlstates?.some((state) => state !== POOLER_SQLSTATE && facts.sqlstates.includes(state)))
    return true;
  return (
    entry.codes?.some((code) => {
      if (!facts.codes.includes(code)) return false;
      const syscalls = entry.syscalls?.[code];
      return syscalls === undefined || facts.syscalls.some((syscall) => syscalls.includes(syscall));
    }) ?? false
  );
}
