import { ADAPTER_ENTRIES, builderOf } from './adapter-entries.ts';

const { kysely, drizzle, prisma, typeorm } = ADAPTER_ENTRIES;
const postgresJs = ADAPTER_ENTRIES['drizzle-postgres-js'];

/** ORMs whose fixes {@link explainError} can tailor. */
export type Orm = 'pg' | 'prisma' | 'kysely' | 'drizzle' | 'typeorm';

/** Whether repeating the failed work is safe. */
export type RetryAdvice =
  /** Nothing reached the server (or the server rolled the whole transaction back): retry. */
  | 'safe'
  /** The query may have run before the connection died: retry only idempotent work. */
  | 'if-idempotent'
  /** Retrying gives the same error: fix the configuration or the code. */
  | 'never';

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
  readonly retry: RetryAdvice;
}

interface KnownError {
  id: string;
  title: string;
  sqlstates?: readonly string[];
  codes?: readonly string[];
  message?: RegExp;
  cause: string;
  fix: string;
  fixFor?: Partial<Record<Orm, string>>;
  transient: boolean;
  retry: RetryAdvice;
}

const LIFETIME_FIX =
  'Recycle connections before the proxy drains them: max connection lifetime ≤ 600 s and idle timeout 300 s ' +
  '(defineDatabase does both), and attach error listeners so a cut connection is replaced, not fatal (createPgPool).';

// Order matters: the first match wins, so specific messages come before generic codes.
const CATALOGUE: readonly KnownError[] = [
  {
    id: 'prepared-statement-missing',
    title: 'prepared statement "…" does not exist',
    sqlstates: ['26000'],
    message: /prepared statement "?[^"]*"? does not exist/i,
    cause:
      'A named prepared statement was sent through PgBouncer in transaction mode: it was prepared on one server ' +
      'connection, and the next transaction got another.',
    fix: 'Disable named prepared statements in the client (mpgkit policies do this in transaction mode).',
    fixFor: {
      pg: 'Remove `name` from query configs, or build the pool with createPgPool (it sends names unnamed in transaction mode).',
      prisma: `Prisma 7: remove statementNameGenerator and use ${prisma.appClient}(policy, …). Prisma 6: use ${builderOf('prisma', 'prisma6Urls')} (pgbouncer=true in transaction mode).`,
      kysely: `Kysely never names statements: look for a raw pg client with \`name\` next to it, and build the app client with ${kysely.appClient}.`,
      drizzle: `node-postgres: ${drizzle.appClient} from ${drizzle.module} sends .prepare() unnamed. postgres.js: ${postgresJs.appClient} from ${postgresJs.module} sets prepare: false.`,
      typeorm: `TypeORM never names statements: look for raw driver queries with \`name\`; build the DataSource with ${typeorm.appClient}.`,
    },
    transient: false,
    retry: 'never',
  },
  {
    id: 'prepared-statement-exists',
    title: 'prepared statement "…" already exists',
    sqlstates: ['42P05'],
    message: /prepared statement "?[^"]*"? already exists/i,
    cause:
      'A named prepared statement was sent through PgBouncer in transaction mode, onto a server connection where ' +
      'another client had already prepared that name.',
    fix: 'Disable named prepared statements in the client (mpgkit policies do this in transaction mode).',
    fixFor: {
      pg: 'Remove `name` from query configs, or build the pool with createPgPool.',
      prisma: `Prisma 7: remove statementNameGenerator. Prisma 6 (classic engine, "s0 already exists"): use ${builderOf('prisma', 'prisma6Urls')}, which adds pgbouncer=true.`,
      drizzle: `postgres.js: ${postgresJs.appClient} from ${postgresJs.module} (prepare: false); node-postgres: ${drizzle.appClient} from ${drizzle.module}.`,
    },
    transient: false,
    retry: 'never',
  },
  {
    id: 'protocol-violation',
    title: 'protocol_violation on login',
    sqlstates: ['08P01'],
    message: /protocol[_ ]violation/i,
    cause:
      'The client used the protocol in a way the pooler does not support, usually named prepared statements in transaction mode.',
    fix: 'Disable named prepared statements in the client, as for "prepared statement … does not exist".',
    transient: false,
    retry: 'never',
  },
  {
    id: 'session-feature-in-transaction-mode',
    title: 'session-only SQL refused by the transaction-mode guard',
    codes: ['SESSION_FEATURE_IN_TRANSACTION_MODE'],
    cause: 'mpgkit stopped SQL that cannot work through a transaction pooler before it was sent.',
    fix: 'Follow the fix in the error message: SET LOCAL, pg_advisory_xact_lock, ON COMMIT DROP, or the direct URL.',
    transient: false,
    retry: 'never',
  },
  {
    id: 'unsupported-startup-parameter',
    title: 'unsupported startup parameter',
    message: /unsupported startup parameter/i,
    cause:
      'The client sent a connection parameter PgBouncer does not accept (only application_name, client_encoding, ' +
      'DateStyle, IntervalStyle, TimeZone and standard_conforming_strings pass).',
    fix: 'Remove statement_timeout / options / search_path from the connection settings; use SET LOCAL in a transaction or ALTER ROLE ... SET.',
    fixFor: {
      drizzle: `postgres.js sends unknown URL parameters (e.g. ?pgbouncer=true) as startup parameters: use ${postgresJs.appClient} (or ${builderOf('drizzle-postgres-js', 'postgresJsUrl')}), which strips them.`,
      pg: 'Remove statement_timeout, lock_timeout and options from the pg config and the URL.',
    },
    transient: false,
    retry: 'never',
  },
  {
    id: 'too-many-connections-for-role',
    title: 'too many connections for role',
    message: /too many connections for role/i,
    cause:
      'The fleet opens more connections than the role or plan allows: processes × pool size is over the limit.',
    fix:
      'Check the budget (`mpgkit budget`): reduce pool sizes, switch to transaction mode, or look for connection leaks ' +
      '(connections checked out and never released).',
    transient: true,
    retry: 'safe',
  },
  {
    id: 'reserved-connection-slots',
    title: 'remaining connection slots are reserved…',
    // After too-many-connections-for-role, so a bare 53300 without either message lands here.
    sqlstates: ['53300'],
    message: /remaining connection slots are reserved/i,
    cause: "Postgres's max_connections is exhausted; the last slots are reserved for superusers.",
    fix: 'Count direct connections too (release command, listeners, admin tools): `mpgkit budget --direct N`. Reduce pool sizes or use the pooled URL.',
    transient: true,
    retry: 'safe',
  },
  {
    id: 'max-client-conn',
    title: 'no more connections allowed (max_client_conn)',
    message: /no more connections allowed \(max_client_conn\)/i,
    cause:
      "PgBouncer's client limit is full: the fleet's pools together open more client connections than the plan allows.",
    fix: 'Σ machines × processes × pool size must fit max client connections, also during a deploy: run `mpgkit budget`.',
    transient: true,
    retry: 'safe',
  },
  {
    id: 'query-wait-timeout',
    title: 'query_wait_timeout',
    message: /query_wait_timeout/i,
    cause:
      'The query waited in PgBouncer for a server connection longer than query_wait_timeout. In session mode, clients ' +
      'beyond max database connections never get one.',
    fix: 'In session mode the fleet must fit max database connections (`mpgkit budget`); or switch to transaction mode.',
    transient: true,
    retry: 'safe',
  },
  {
    id: 'pool-exhausted',
    title: 'timeout exceeded when trying to connect',
    message: /timeout exceeded when trying to connect/i,
    cause: 'No pool slot was free within the connect timeout: every connection was checked out.',
    fix: 'Look for connections that are never released, long transactions, or a pool size too small for the load.',
    transient: true,
    retry: 'safe',
  },
  {
    id: 'idle-connection-closed',
    title: 'tcp recv (idle): closed | timeout',
    message: /tcp recv \(idle\): (closed|timeout)/i,
    cause: 'The proxy or PgBouncer closed an idle connection: a proxy restart (drain) or an idle timeout.',
    fix: LIFETIME_FIX,
    transient: true,
    retry: 'safe',
  },
  {
    id: 'connection-timeout',
    title: 'connection hangs on startup',
    codes: ['ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT'],
    message: /connection terminated due to connection timeout|timeout expired|getaddrinfo|connect ETIMEDOUT/i,
    cause:
      'The connection could not be opened in time. On Fly this is usually DNS: the app cannot resolve the .flympg.net ' +
      'address over the private IPv6 network.',
    fix: "Make sure the app resolves AAAA records on Fly's private network (IPv6 enabled); `mpgkit doctor` checks DNS and connects with the 5 s timeout.",
    transient: true,
    retry: 'safe',
  },
  {
    id: 'connection-refused',
    title: 'connection refused',
    codes: ['ECONNREFUSED'],
    cause:
      'Nothing accepted the connection: the database or pooler is restarting, or the host/port is wrong.',
    fix: 'Retry with backoff during restarts; otherwise check the URL (`mpgkit doctor`).',
    transient: true,
    retry: 'safe',
  },
  {
    id: 'admin-shutdown',
    title: 'terminating connection due to administrator command',
    sqlstates: ['57P01', '57P02'],
    message: /terminating connection due to administrator command/i,
    cause: 'The server ended the connection: a restart (plan change, failover) or a terminated backend.',
    fix: `${LIFETIME_FIX} Retry idempotent work with backoff.`,
    transient: true,
    retry: 'if-idempotent',
  },
  {
    id: 'cannot-connect-now',
    title: 'the database system is starting up / shutting down',
    sqlstates: ['57P03'],
    cause: 'Postgres is restarting (a plan change restarts the database).',
    fix: 'Retry with backoff.',
    transient: true,
    retry: 'safe',
  },
  {
    id: 'connection-reset',
    title: 'ECONNRESET / connection reset by peer',
    codes: ['ECONNRESET', 'EPIPE'],
    message: /connection reset by peer|ECONNRESET/i,
    cause: 'A long-lived connection was cut, typically by a proxy restart after its 10-minute drain.',
    fix: `${LIFETIME_FIX} Retry idempotent work with backoff.`,
    transient: true,
    retry: 'if-idempotent',
  },
  {
    id: 'client-not-queryable',
    title: 'Client has encountered a connection error and is not queryable',
    message: /is not queryable/i,
    cause:
      'The query was sent to a pg client whose connection had already died (its error was reported on the ' +
      "client's 'error' event); pg refused to send it.",
    fix: 'Use a pool, which replaces dead connections (createPgPool), rather than one long-lived client; for LISTEN use createListener.',
    transient: true,
    retry: 'safe',
  },
  {
    id: 'connection-terminated',
    title: 'Connection terminated unexpectedly',
    sqlstates: ['08006', '08003'],
    message:
      /connection terminated unexpectedly|server closed the connection unexpectedly|connection terminated|connection ended/i,
    cause:
      'The connection closed under the client: a proxy drain past its deadline, a pooler restart, or a killed backend.',
    fix: `${LIFETIME_FIX} Retry idempotent work with backoff.`,
    transient: true,
    retry: 'if-idempotent',
  },
  {
    id: 'serialization-failure',
    title: 'could not serialize access / deadlock detected',
    sqlstates: ['40001', '40P01'],
    cause: 'The server rolled the transaction back to keep it consistent with a concurrent one.',
    fix: 'Retry the whole transaction (retry() does, with backoff).',
    transient: true,
    retry: 'safe',
  },
];

/**
 * Explains an error (an Error from any driver or ORM, or its text): cause, fix (for the ORM, when named)
 * and whether a retry is safe. Covers every error in MPG's troubleshooting guide and the pooler errors
 * users meet. Returns `undefined` for errors it does not know.
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
  // Messages first: PgBouncer sends many of its own errors (query_wait_timeout, max_client_conn,
  // unsupported startup parameter) with the generic SQLSTATE 08P01, so the text is what tells them apart.
  const known =
    CATALOGUE.find((entry) => matchesMessage(entry, facts)) ??
    CATALOGUE.find((entry) => matchesCode(entry, facts));
  if (known === undefined) return undefined;
  return Object.freeze({
    id: known.id,
    title: known.title,
    cause: known.cause,
    fix: (orm && known.fixFor?.[orm]) ?? known.fix,
    transient: known.transient,
    retry: known.retry,
  });
}

/** What {@link classifyError} decides. */
export interface ErrorClassification {
  /** The condition passes by itself. */
  readonly transient: boolean;
  /** Repeating the work is safe (for `if-idempotent` errors, only when the caller said it is idempotent). */
  readonly retrySafe: boolean;
  /** The catalogue id, when known. */
  readonly id: string | undefined;
}

/**
 * Whether an error is transient and whether repeating the work is safe. A query that may have run (the
 * connection died mid-query) is only safe to repeat when the caller says the work is idempotent.
 *
 * @param options.idempotent - The work can run twice without harm. @default false
 * @example
 * ```ts
 * classifyError(error, { idempotent: true }).retrySafe;
 * ```
 */
export function classifyError(error: unknown, options: { idempotent?: boolean } = {}): ErrorClassification {
  const explanation = explainError(error);
  if (explanation === undefined) return { transient: false, retrySafe: false, id: undefined };
  const retrySafe =
    explanation.retry === 'safe' || (explanation.retry === 'if-idempotent' && (options.idempotent ?? false));
  return { transient: explanation.transient, retrySafe, id: explanation.id };
}

interface ErrorFacts {
  messages: string[];
  codes: string[];
}

// ORMs wrap driver errors: Drizzle and TypeORM in `cause` / `driverError`, Prisma 7 in
// `meta.driverAdapterError.cause`. Look through up to a few layers.
function factsOf(error: unknown): ErrorFacts {
  const facts: ErrorFacts = { messages: [], codes: [] };
  const queue: unknown[] = [error];
  for (let seen = 0; queue.length > 0 && seen < 8; seen++) {
    const current = queue.shift();
    if (typeof current === 'string') {
      facts.messages.push(current);
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    const record = current as Record<string, unknown>;
    for (const key of ['message', 'originalMessage'])
      if (typeof record[key] === 'string') facts.messages.push(record[key] as string);
    for (const key of ['code', 'originalCode', 'errno', 'sqlState'])
      if (typeof record[key] === 'string') facts.codes.push(record[key] as string);
    const meta = record.meta as Record<string, unknown> | undefined;
    queue.push(
      record.cause,
      record.driverError,
      record.originalError,
      meta?.driverAdapterError,
      ...((record.errors as unknown[]) ?? []),
    );
  }
  return facts;
}

function matchesMessage(entry: KnownError, facts: ErrorFacts): boolean {
  return entry.message !== undefined && facts.messages.some((message) => entry.message?.test(message));
}

function matchesCode(entry: KnownError, facts: ErrorFacts): boolean {
  if (entry.codes?.some((code) => facts.codes.includes(code))) return true;
  if (entry.sqlstates?.some((state) => facts.codes.includes(state))) return true;
  // A SQLSTATE may also appear in text ("SQLSTATE 53300", "code: '26000'"), never as any five characters.
  return (
    entry.sqlstates?.some((state) => facts.messages.some((message) => sqlstateInText(state).test(message))) ??
    false
  );
}

function sqlstateInText(state: string): RegExp {
  return new RegExp(`\\b(?:sqlstate|code)\\W{0,3}${state}\\b`, 'i');
}
