import { describe, expect, it } from 'vitest';
import { classifyError, explainError } from './connection-errors.ts';

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
      id: undefined,
    });
  });
});
