import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAge, groupConnections, ownerOf, type ServerConnection } from './cluster-connections.ts';

const part = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,15}$/);
const STATES = [
  'active',
  'idle',
  'idle in transaction',
  'idle in transaction (aborted)',
  'fastpath function call',
  null,
];
const connection = fc.record({
  applicationName: fc.oneof(
    fc.tuple(part, part).map(([app, group]) => `${app}:${group}`),
    fc.tuple(part, part, fc.constantFrom('migrate', 'listen')).map((parts) => parts.join(':')),
    fc.constantFrom('psql', '', 'PostgreSQL JDBC Driver', 'a b:c'),
  ),
  state: fc.constantFrom(...STATES),
  ageSeconds: fc.double({ min: 0, max: 100_000, noNaN: true }),
}) satisfies fc.Arbitrary<ServerConnection>;

describe('ownerOf', () => {
  it("reads back the app, group and role mpgkit's application_name holds", () => {
    fc.assert(
      fc.property(part, part, fc.option(part, { nil: undefined }), (app, group, role) => {
        const name = role === undefined ? `${app}:${group}` : `${app}:${group}:${role}`;
        expect(ownerOf(name)).toEqual({ app, group, role });
      }),
    );
  });

  it('attributes nothing to a name without an app and a group', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes(':')),
        (name) => {
          expect(ownerOf(name)).toBeUndefined();
        },
      ),
    );
    expect(ownerOf('a:b:c:d')).toBeUndefined();
    expect(ownerOf('a b:c')).toBeUndefined();
  });
});

describe('groupConnections', () => {
  it('counts every connection once, by state, and flags exactly what is over, idle in a transaction or past the window', () => {
    fc.assert(
      fc.property(
        fc.array(connection, { maxLength: 60 }),
        fc.double({ min: 1, max: 50_000, noNaN: true }),
        fc.dictionary(part, fc.nat({ max: 20 })),
        (rows, drainWindowSeconds, shareRecord) => {
          const shares = new Map(Object.entries(shareRecord));
          const { groups, flags } = groupConnections(rows, { drainWindowSeconds, shares });
          expect(groups.reduce((sum, group) => sum + group.total, 0)).toBe(rows.length);
          for (const group of groups) {
            const counted = group.active + group.idle + group.idleInTransaction + group.hidden;
            expect(counted).toBeLessThanOrEqual(group.total);
            const flagged = (kind: string) =>
              flags.some((flag) => flag.kind === kind && flag.key === group.key);
            expect(flagged('idle-in-transaction')).toBe(group.idleInTransaction > 0);
            expect(flagged('past-drain-window')).toBe(group.pastDrainWindow > 0);
            expect(flagged('over-share')).toBe(group.share !== undefined && group.total > group.share);
            // Roles are direct connections (migrations, listeners): never measured against the pool's share.
            if (group.owner?.role !== undefined || group.owner === undefined)
              expect(group.share).toBeUndefined();
          }
          // PgBouncer's server connections (an mpgkit pool's, no role) are not the proxy's to cut.
          const pooled = (row: ServerConnection) =>
            ownerOf(row.applicationName)?.role === undefined && ownerOf(row.applicationName) !== undefined;
          const past = rows.filter((row) => !pooled(row) && row.ageSeconds > drainWindowSeconds).length;
          expect(groups.reduce((sum, group) => sum + group.pastDrainWindow, 0)).toBe(past);
          expect(groups.reduce((sum, group) => sum + group.idleInTransaction, 0)).toBe(
            rows.filter((row) => row.state?.startsWith('idle in transaction')).length,
          );
        },
      ),
    );
  });

  it('names the group a connection belongs to, and lists other clients by their own name', () => {
    const { groups, flags } = groupConnections(
      [
        { applicationName: 'shop:web', state: 'idle', ageSeconds: 3000 },
        { applicationName: 'shop:web', state: 'idle in transaction', ageSeconds: 40 },
        { applicationName: 'shop:web:listen', state: 'idle', ageSeconds: 700 },
        { applicationName: 'psql', state: 'active', ageSeconds: 5 },
      ],
      { drainWindowSeconds: 600, shares: new Map([['web', 1]]) },
    );
    expect(groups.map((group) => [group.key, group.total, group.share])).toEqual([
      ['shop:web', 2, 1],
      ['psql', 1, undefined],
      ['shop:web:listen', 1, undefined],
    ]);
    expect(flags.map((flag) => `${flag.kind} ${flag.key}`)).toEqual([
      'over-share shop:web',
      'idle-in-transaction shop:web',
      'past-drain-window shop:web:listen',
    ]);
  });
});

it('formatAge: seconds, minutes, then hours', () => {
  expect([formatAge(45.9), formatAge(754), formatAge(12_600)]).toEqual(['45 s', '12 min', '3.5 h']);
});
