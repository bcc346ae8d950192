import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorCatalogue } from './connection-errors.ts';
import { classifyError, explainError } from './explain-error.ts';
import { markedPhaseOf, markFailurePhase } from './known-error.ts';
import { retry } from './retry.ts';

describe("explainError: every error in the seed's troubleshooting section (as text)", () => {
  it.each([
    ['tcp recv (idle): closed', 'idle-connection-closed', 'safe'],
    ['tcp recv (idle): timeout', 'idle-connection-closed', 'safe'],
    ['read ECONNRESET', 'connection-reset', 'if-idempotent'],
    ['Error: connection reset by peer', 'connection-reset', 'if-idempotent'],
    ['prepared statement "s0" already exists', 'prepared-statement-exists', 'never'],
    ['prepared statement "s12" does not exist', 'prepared-statement-missing', 'never'],
    ['ERROR: protocol_violation', 'protocol-violation', 'never'],
    ['FATAL: too many connections for role "app"', 'too-many-connections-for-role', 'safe'],
    [
      'FATAL: remaining connection slots are reserved for roles with the SUPERUSER attribute',
      'reserved-connection-slots',
      'safe',
    ],
    ['Connection terminated due to connection timeout', 'connection-timeout', 'safe'],
    ['getaddrinfo ENOTFOUND direct.c1.flympg.net', 'connection-timeout', 'safe'],
  ])('%s → %s (retry: %s)', (text, id, retryAdvice) => {
    expect(explainError(text)).toMatchObject({ id, retry: retryAdvice });
  });
});

describe('explainError: pooler errors users meet', () => {
  it.each([
    ['Connection terminated unexpectedly', 'connection-terminated'],
    ['ERROR: query_wait_timeout', 'query-wait-timeout'],
    ['no more connections allowed (max_client_conn)', 'max-client-conn'],
    ['unsupported startup parameter: statement_timeout', 'unsupported-startup-parameter'],
    ['terminating connection due to administrator command', 'admin-shutdown'],
    ['timeout exceeded when trying to connect', 'pool-exhausted'],
    ['error: SQLSTATE 53300', 'reserved-connection-slots'],
  ])('%s → %s', (text, id) => {
    expect(explainError(text)?.id).toBe(id);
  });

  it.each([
    [{ code: '57P01', message: 'x' }, 'admin-shutdown'],
    [{ code: '08006', message: 'x' }, 'connection-terminated'],
    [{ code: '40001', message: 'could not serialize access' }, 'serialization-failure'],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }, 'connection-refused'],
  ])('by code: %j → %s', (error, id) => {
    expect(explainError(error)?.id).toBe(id);
  });

  it('looks through ORM wrappers (cause, driverError, Prisma driverAdapterError)', () => {
    const drizzle = new Error('Failed query: select 1', {
      cause: Object.assign(new Error('prepared statement "q" does not exist'), { code: '26000' }),
    });
    const typeorm = { message: 'QueryFailedError', driverError: { code: '57P01', message: 'terminating' } };
    const prisma = {
      message: 'Invalid query',
      meta: { driverAdapterError: { cause: { originalCode: '42P05', originalMessage: 'exists' } } },
    };
    expect(explainError(drizzle)?.id).toBe('prepared-statement-missing');
    expect(explainError(typeorm)?.id).toBe('admin-shutdown');
    expect(explainError(prisma)?.id).toBe('prepared-statement-exists');
  });

  it('tailors the fix to the ORM', () => {
    const general = explainError('prepared statement "s0" already exists')?.fix;
    expect(explainError('prepared statement "s0" already exists', 'prisma')?.fix).toMatch(/pgbouncer=true/);
    expect(explainError('prepared statement "s0" already exists', 'kysely')?.fix).toBe(general);
  });

  it('returns undefined for unknown errors, and does not read stray numbers as SQLSTATEs', () => {
    expect(explainError(new Error('relation "x" does not exist'))).toBeUndefined();
    expect(explainError('expected 40001 rows')).toBeUndefined();
  });
});

describe('classifyError', () => {
  it('retries what never reached the server, and what may have run only if idempotent', () => {
    expect(classifyError('too many connections for role "a"')).toEqual({
      transient: true,
      retrySafe: true,
      phase: 'connect',
      id: 'too-many-connections-for-role',
    });
    expect(classifyError('Connection terminated unexpectedly').retrySafe).toBe(false);
    expect(classifyError('Connection terminated unexpectedly', { idempotent: true }).retrySafe).toBe(true);
    expect(classifyError('prepared statement "s0" already exists', { idempotent: true })).toMatchObject({
      transient: false,
      retrySafe: false,
    });
    expect(classifyError(new Error('syntax error at or near "SELEC"'))).toEqual({
      transient: false,
      retrySafe: false,
      phase: undefined,
      id: undefined,
    });
  });
});

describe('the phase decides retry safety (hardening)', () => {
  it.each([
    // [error, id, phase]
    [{ code: 'ETIMEDOUT', syscall: 'read', message: 'read ETIMEDOUT' }, 'socket-timeout', 'in-flight'],
    [
      { code: 'ETIMEDOUT', syscall: 'connect', message: 'connect ETIMEDOUT 10.0.0.1:5432' },
      'connection-timeout',
      'connect',
    ],
    [{ code: 'ETIMEDOUT' }, 'socket-timeout', 'in-flight'],
    [{ message: 'Query read timeout' }, 'socket-timeout', 'in-flight'],
    [
      { code: 'ENETUNREACH', syscall: 'connect', message: 'connect ENETUNREACH fdaa::3:5432' },
      'connection-refused',
      'connect',
    ],
    [
      { code: 'EHOSTUNREACH', syscall: 'connect', message: 'connect EHOSTUNREACH 10.0.0.1:5432' },
      'connection-refused',
      'connect',
    ],
    ['the database system is shutting down', 'cannot-connect-now', 'connect'],
    [{ code: '57P03', message: 'the database system is starting up' }, 'cannot-connect-now', 'connect'],
    // PgBouncer's own errors, all SQLSTATE 08P01 (PgBouncer 1.18 src/objects.c, src/janitor.c).
    [
      { code: '08P01', message: 'server login has been failing, try again later (server_login_retry)' },
      'server-login-retry',
      'connect',
    ],
    [
      {
        code: '08P01',
        message:
          'server login has been failing, cached error: password authentication failed for user "pgbouncer" (server_login_retry)',
      },
      'server-login-retry',
      'connect',
    ],
    [{ code: '08P01', message: 'pgbouncer cannot connect to server' }, 'pooler-cannot-connect', 'connect'],
    [{ code: '08P01', message: 'server conn crashed?' }, 'server-connection-crashed', 'in-flight'],
    // Seen in scenario 3b over TLS (PostgreSQL fast shutdown, PgBouncer 1.18 with server_tls_sslmode = require).
    [{ code: '08P01', message: 'server connection closed' }, 'server-connection-crashed', 'in-flight'],
    [{ code: '08P01', message: 'query_timeout' }, 'pooler-query-timeout', 'in-flight'],
    [{ code: '08P01', message: 'client_idle_timeout' }, 'pooler-client-idle-timeout', 'connect'],
    [{ code: '08P01', message: 'query_wait_timeout' }, 'query-wait-timeout', 'connect'],
    [{ code: '08P01', message: 'SASL authentication failed' }, 'password-authentication-failed', 'config'],
    [
      { code: '28P01', message: 'password authentication failed for user "fly-user"' },
      'password-authentication-failed',
      'config',
    ],
    // Prisma 7 and postgres.js codes.
    [{ code: 'P1001', message: "Can't reach database server at `db:5432`" }, 'connection-refused', 'connect'],
    [{ code: 'P1017', message: 'Server has closed the connection.' }, 'connection-terminated', 'in-flight'],
    [
      { code: 'P2024', message: 'Timed out fetching a new connection from the connection pool.' },
      'pool-exhausted',
      'connect',
    ],
    [
      { code: 'CONNECTION_CLOSED', message: 'write CONNECTION_CLOSED db:5432' },
      'connection-terminated',
      'in-flight',
    ],
    [
      { code: 'CONNECTION_DESTROYED', message: 'write CONNECTION_DESTROYED db:5432' },
      'connection-terminated',
      'in-flight',
    ],
    [{ code: 'CONNECT_TIMEOUT', message: 'write CONNECT_TIMEOUT db:5432' }, 'connection-timeout', 'connect'],
    // TypeORM, after a connection lost under a transaction (measured on a PostgreSQL restart).
    [
      {
        name: 'QueryRunnerAlreadyReleasedError',
        message: 'Query runner already released. Cannot run queries anymore.',
      },
      'typeorm-query-runner-released',
      'in-flight',
    ],
    [
      {
        name: 'QueryRunnerProviderAlreadyReleasedError',
        message:
          'Database connection provided by a query runner was already released, cannot continue to use its querying methods anymore.',
      },
      'typeorm-query-runner-released',
      'in-flight',
    ],
  ])('%j → %s (%s)', (error, id, phase) => {
    expect(explainError(error)).toMatchObject({ id, phase });
  });

  it('a SQLSTATE the server sent wins over the message text', () => {
    const raised = { code: 'P0001', message: 'upstream said: connection reset by peer', severity: 'ERROR' };
    expect(explainError(raised)).toBeUndefined();
    expect(classifyError(raised, { idempotent: true }).retrySafe).toBe(false);
    // An unknown 08P01 is not called a protocol violation with a prepared-statement fix.
    expect(explainError({ code: '08P01', message: 'something PgBouncer never said' })).toBeUndefined();
  });

  it('a connection lost while COMMIT was in flight: the write may have committed', () => {
    const typeorm = {
      name: 'QueryFailedError',
      message: 'Connection terminated unexpectedly',
      query: 'COMMIT',
      driverError: new Error('Connection terminated unexpectedly'),
    };
    expect(explainError(typeorm)).toMatchObject({
      id: 'commit-outcome-unknown',
      phase: 'commit',
      retry: 'if-idempotent',
      fix: expect.stringContaining('Check before you repeat it'),
    });
    // The same loss on another statement is an ordinary in-flight failure.
    expect(explainError({ ...typeorm, query: 'INSERT INTO t VALUES (1)' })?.id).toBe('connection-terminated');
  });

  it('retry() never re-runs non-idempotent work after the statement was sent (read ETIMEDOUT)', async () => {
    let runs = 0;
    const timedOut = Object.assign(new Error('read ETIMEDOUT'), { code: 'ETIMEDOUT', syscall: 'read' });
    const insert = async () => {
      runs++;
      throw timedOut;
    };
    await expect(retry(insert, { baseDelayMs: 1 })).rejects.toBe(timedOut);
    expect(runs).toBe(1);
    runs = 0;
    await expect(retry(insert, { baseDelayMs: 1, idempotent: true })).rejects.toBe(timedOut);
    expect(runs).toBe(3);
  });

  it('never throws, whatever it is given (10,000 generated values)', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true }), (value) => {
        const classification = classifyError(value);
        expect(typeof classification.retrySafe).toBe('boolean');
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('the catalogue', () => {
  it('gives every error a unique id, a title, a cause and a fix that say something', async () => {
    const { errorCatalogue } = await import('./connection-errors.ts');
    const ERROR_CATALOGUE = errorCatalogue();
    expect(new Set(ERROR_CATALOGUE.map((entry) => entry.id)).size).toBe(ERROR_CATALOGUE.length);
    for (const entry of ERROR_CATALOGUE) {
      expect(entry.title.length, entry.id).toBeGreaterThan(5);
      expect(entry.cause.length, entry.id).toBeGreaterThan(40);
      expect(entry.fix.length, entry.id).toBeGreaterThan(20);
    }
  });
});

describe('a failure that follows a lost connection is read by the first failure (known-error.ts FAILURE_PHASE)', () => {
  const notQueryable = () => new Error('Client has encountered a connection error and is not queryable');

  it("a catch block's ROLLBACK after COMMIT's connection died: the outcome is unknown, never retried", () => {
    const lost = new Error('Connection terminated unexpectedly');
    markFailurePhase(lost, 'commit');
    const rollback = Object.assign(notQueryable(), { cause: lost });
    markFailurePhase(rollback, 'commit');
    expect(classifyError(rollback)).toMatchObject({ id: 'commit-outcome-unknown', retrySafe: false });
    expect(classifyError(lost)).toMatchObject({ id: 'commit-outcome-unknown', phase: 'commit' });
  });

  it('unmarked, "not queryable" is in flight, not connect: what came before it may have run', () => {
    expect(classifyError(notQueryable())).toMatchObject({ phase: 'in-flight', retrySafe: false });
  });

  it('a later mark never makes a marked error look safer', () => {
    const error = notQueryable();
    markFailurePhase(error, 'commit');
    markFailurePhase(error, 'connect');
    expect(markedPhaseOf(error)).toBe('commit');
  });

  it('property: a commit or in-flight mark on any layer never makes any error safer to retry', () => {
    const texts = errorCatalogue()
      .map((entry) => entry.title)
      .concat(['Connection terminated unexpectedly', 'ECONNREFUSED', 'deadlock detected']);
    fc.assert(
      fc.property(
        fc.constantFrom(...texts),
        fc.constantFrom('in-flight', 'commit') as fc.Arbitrary<'in-flight' | 'commit'>,
        fc.nat({ max: 3 }),
        fc.boolean(),
        (text, phase, depth, idempotent) => {
          const inner = new Error(text);
          let outer: Error = inner;
          for (let layer = 0; layer < depth; layer++) outer = new Error('wrapped', { cause: outer });
          const before = classifyError(outer, { idempotent });
          markFailurePhase(inner, phase);
          const after = classifyError(outer, { idempotent });
          if (!before.retrySafe) expect(after.retrySafe).toBe(false);
          if (before.phase === 'connect' || before.phase === 'in-flight') {
            expect(after.phase).toBe(phase === 'commit' ? 'commit' : 'in-flight');
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
