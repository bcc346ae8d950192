import { describe, expect, it } from 'vitest';
import { isMpgkitError, MpgkitErrorCode } from '../errors.ts';
import { MPG_PLANS, resolvePlan } from './plans.ts';

describe('MPG plan table (shared/seeds/000, "Connection limits")', () => {
  it.each([
    ['basic', 200, 50, 10],
    ['starter', 200, 50, 10],
    ['launch', 500, 150, 30],
    ['scale', 1000, 300, 50],
    ['performance', 1000, 300, 50],
  ])('%s: %i client / %i database / %i reserve', (name, clients, database, reserve) => {
    expect(resolvePlan(name)).toEqual({
      name,
      maxClientConnections: clients,
      maxDatabaseConnections: database,
      reservePool: reserve,
    });
  });

  it('has exactly the five plans of the guide', () => {
    expect(Object.keys(MPG_PLANS)).toEqual(['basic', 'starter', 'launch', 'scale', 'performance']);
  });

  it('accepts names in any case and with spaces around', () => {
    expect(resolvePlan(' Launch ')).toBe(MPG_PLANS.launch);
  });

  it.each(['huge', '', 'toString', '__proto__'])('rejects unknown plan %j with UNKNOWN_PLAN', (name) => {
    expect(() => resolvePlan(name)).toThrow(expect.objectContaining({ code: MpgkitErrorCode.UnknownPlan }));
  });

  it('takes custom limits for other PgBouncers, reserve defaulting to 0', () => {
    expect(resolvePlan({ maxClientConnections: 100, maxDatabaseConnections: 20 })).toEqual({
      name: 'custom',
      maxClientConnections: 100,
      maxDatabaseConnections: 20,
      reservePool: 0,
    });
  });

  it.each([
    { maxClientConnections: 0, maxDatabaseConnections: 20 },
    { maxClientConnections: 10, maxDatabaseConnections: 2.5 },
    { maxClientConnections: 10, maxDatabaseConnections: 5, reservePool: -1 },
  ])('rejects invalid custom limits %j', (limits) => {
    let caught: unknown;
    try {
      resolvePlan(limits);
    } catch (error) {
      caught = error;
    }
    expect(isMpgkitError(caught, MpgkitErrorCode.InvalidOption)).toBe(true);
  });
});
