import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../test/thrown.ts';
import { MpgkitErrorCode } from '../errors.ts';
import type { DeployStrategy, PoolMode } from '../pooler.ts';
import { formatBudgetReport } from './budget-report-text.ts';
import { checkPoolBudget } from './pool-budget.ts';
import { recommendPoolSizes } from './pool-size-recommendation.ts';

const seedFleet = [
  { name: 'web', machines: 3, poolSize: 10 },
  { name: 'worker', machines: 2, poolSize: 5 },
];

describe('checkPoolBudget', () => {
  it("reproduces the seed's example exactly: (3 × 10) + (2 × 5) = 40", () => {
    const report = checkPoolBudget({ plan: 'basic', poolMode: 'session', groups: seedFleet });
    expect(report.total).toBe(40);
    expect(report.explanation.join('\n')).toContain('(3 × 10) + (2 × 5) = 40');
  });

  it.each<[PoolMode, string, number, string]>([
    ['session', 'basic', 50, 'max database connections'],
    ['transaction', 'basic', 200, 'max client connections'],
    ['session', 'launch', 150, 'max database connections'],
    ['transaction', 'launch', 500, 'max client connections'],
    ['session', 'scale', 300, 'max database connections'],
    ['transaction', 'performance', 1000, 'max client connections'],
  ])('%s mode on %s binds at %i (%s)', (poolMode, plan, limit, limitName) => {
    const report = checkPoolBudget({ plan, poolMode, groups: seedFleet });
    expect(report).toMatchObject({ limit, limitName });
  });

  it.each<[DeployStrategy, number, string]>([
    ['rolling', 40, 'ok'],
    ['immediate', 40, 'ok'],
    ['canary', 55, 'over'], // 40 + (1 × 10) + (1 × 5) > 50
    ['bluegreen', 80, 'over'],
  ])('session/basic with a %s deploy peaks at %i: %s', (deploy, peak, verdict) => {
    const report = checkPoolBudget({ plan: 'basic', poolMode: 'session', groups: seedFleet, deploy });
    expect(report.peak).toBe(peak);
    expect(report.verdict).toBe(verdict);
    expect(report.normalVerdict).toBe('ok');
  });

  it('explains the bluegreen peak with its arithmetic', () => {
    const report = checkPoolBudget({
      plan: 'basic',
      poolMode: 'session',
      groups: seedFleet,
      deploy: 'bluegreen',
    });
    expect(report.explanation.join('\n')).toContain('2 × 40 = 80 of 50: over by 30');
  });

  it.each([
    [40, 'ok'],
    [41, 'reserve'],
    [50, 'reserve'],
    [51, 'over'],
  ])(
    'session mode: the reserve pool is the top slice of the database limit (%i of 50 → %s)',
    (connections, verdict) => {
      const groups = [{ name: 'app', machines: connections, poolSize: 1 }];
      expect(checkPoolBudget({ plan: 'basic', poolMode: 'session', groups }).verdict).toBe(verdict);
    },
  );

  it('counts processes per machine in the formula', () => {
    const report = checkPoolBudget({
      plan: 'launch',
      poolMode: 'session',
      groups: [{ name: 'web', machines: 2, processesPerMachine: 4, poolSize: 5 }],
    });
    expect(report.total).toBe(40);
    expect(report.explanation.join('\n')).toContain('(2 × 4 × 5) = 40');
  });

  it('never uses the reserve pool in transaction mode', () => {
    const groups = [{ name: 'app', machines: 21, poolSize: 10 }];
    expect(checkPoolBudget({ plan: 'basic', poolMode: 'transaction', groups }).verdict).toBe('over');
    expect(
      checkPoolBudget({ plan: 'basic', poolMode: 'transaction', groups: [{ ...groups[0]!, machines: 20 }] })
        .verdict,
    ).toBe('ok');
  });

  it('reports direct connections separately, outside the PgBouncer limit', () => {
    const report = checkPoolBudget({
      plan: 'basic',
      poolMode: 'session',
      groups: seedFleet,
      directConnections: 3,
    });
    expect(report.total).toBe(40);
    expect(report.directConnections).toBe(3);
    expect(report.directVerdict).toBe('unknown');
    expect(report.verdict).toBe('ok');
    expect(report.explanation.join('\n')).toContain(
      "Postgres's own max_connections, which the plan does not publish: not checked",
    );
  });

  it('judges direct connections against a given limit: 1000 of them are over, whatever the pools', () => {
    const over = checkPoolBudget({
      plan: 'basic',
      poolMode: 'session',
      groups: seedFleet,
      directConnections: 1000,
      directConnectionLimit: 40,
    });
    expect(over).toMatchObject({
      normalVerdict: 'ok',
      peakVerdict: 'ok',
      directVerdict: 'over',
      verdict: 'over',
    });
    expect(over.explanation.join('\n')).toContain('1000 of 40 Postgres connections: over by 960');
    const fits = checkPoolBudget({
      plan: 'basic',
      poolMode: 'session',
      groups: seedFleet,
      directConnections: 3,
      directConnectionLimit: 40,
    });
    expect(fits).toMatchObject({ directVerdict: 'ok', verdict: 'ok' });
  });

  it('says what happens past each limit, in the words of the mode', () => {
    const session = checkPoolBudget({
      plan: 'basic',
      poolMode: 'session',
      groups: [{ name: 'web', machines: 6, poolSize: 10 }],
    });
    expect(session.explanation.join('\n')).toContain('wait until query_wait_timeout');
    const transaction = checkPoolBudget({
      plan: 'basic',
      poolMode: 'transaction',
      groups: [{ name: 'web', machines: 30, poolSize: 10 }],
    });
    const text = transaction.explanation.join('\n');
    expect(text).toContain('PgBouncer refuses 100 client connections outright');
    expect(text).not.toContain('wait until');
  });

  it.each([
    [{ groups: [] }, 'no process groups'],
    [{ groups: [{ name: 'a', machines: 0, poolSize: 1 }] }, 'a.machines'],
    [{ groups: [{ name: 'a', machines: 1, poolSize: 1.5 }] }, 'a.poolSize'],
    [
      {
        groups: [
          { name: 'a', machines: 1, poolSize: 1 },
          { name: 'a', machines: 1, poolSize: 1 },
        ],
      },
      'declared twice',
    ],
    [
      {
        groups: [
          { name: 'web', machines: 1, poolSize: 1 },
          { name: 'web ', machines: 1, poolSize: 1 },
        ],
      },
      'declared twice',
    ],
    [{ groups: [{ name: 42, machines: 1, poolSize: 1 }] as never }, 'Process group name 42 is not valid'],
    [{ groups: [null] as never }, 'Process group name undefined is not valid'],
    [{ groups: undefined as never }, 'no process groups'],
    [
      { groups: [{ name: 'web', machines: 2 ** 40, poolSize: 2 ** 20, processesPerMachine: 2 ** 10 }] },
      'more connections than can be counted exactly',
    ],
    [{ groups: seedFleet, deploy: 'yolo' as DeployStrategy }, 'Deploy strategy'],
    [{ groups: seedFleet, poolMode: 'statement' as PoolMode }, 'Pool mode'],
  ])('rejects bad input %#', (override, message) => {
    expect(() => checkPoolBudget({ plan: 'basic', poolMode: 'session', ...override })).toThrow(
      expect.objectContaining({
        code: MpgkitErrorCode.InvalidOption,
        message: expect.stringContaining(message),
      }),
    );
  });
});

const groupArb = fc.record({
  machines: fc.integer({ min: 1, max: 40 }),
  poolSize: fc.integer({ min: 1, max: 50 }),
  processesPerMachine: fc.integer({ min: 1, max: 8 }),
});
const fleetArb = fc
  .array(groupArb, { minLength: 1, maxLength: 5 })
  .map((groups) => groups.map((group, index) => ({ ...group, name: `g${index}` })));
const modeArb = fc.constantFrom<PoolMode>('session', 'transaction');
const planArb = fc.constantFrom('basic', 'starter', 'launch', 'scale', 'performance');

describe('hardening', () => {
  it('accepts any script in group names, as the CLI does', () => {
    expect(
      checkPoolBudget({
        plan: 'basic',
        poolMode: 'session',
        groups: [{ name: 'wéb', machines: 1, poolSize: 1 }],
      }).groups[0]?.name,
    ).toBe('wéb');
  });
  it('refuses a reserve larger than the database limit', () => {
    expect(() =>
      checkPoolBudget({
        plan: { maxClientConnections: 100, maxDatabaseConnections: 20, reservePool: 50 },
        poolMode: 'session',
        groups: seedFleet,
      }),
    ).toThrow(
      expect.objectContaining({
        code: MpgkitErrorCode.InvalidOption,
        message: expect.stringContaining('reservePool (50) is larger'),
      }),
    );
  });
  it('refuses anything that is not an input, with a typed error', () => {
    for (const input of [undefined, null, 'basic', { plan: null, poolMode: 'session', groups: seedFleet }]) {
      expect(() => checkPoolBudget(input as never)).toThrow(expect.objectContaining({ name: 'MpgkitError' }));
    }
  });
  it('arbitrary input: exact or a typed error, never an untyped one (10,000 cases)', () => {
    fc.assert(
      fc.property(
        fc.record({
          plan: fc.oneof(fc.constantFrom('basic', 'launch', 'nope'), fc.anything()),
          poolMode: fc.oneof(fc.constantFrom('session', 'transaction'), fc.anything()),
          deploy: fc.oneof(fc.constantFrom('rolling', 'bluegreen', 'canary'), fc.anything()),
          groups: fc.oneof(
            fc.array(
              fc.record({
                name: fc.oneof(fc.string(), fc.anything()),
                machines: fc.oneof(fc.integer(), fc.double(), fc.anything()),
                poolSize: fc.oneof(fc.nat(10 ** 6), fc.anything()),
                processesPerMachine: fc.option(fc.oneof(fc.nat(10 ** 6), fc.anything())),
              }),
              { maxLength: 4 },
            ),
            fc.anything(),
          ),
        }),
        (input) => {
          try {
            const report = checkPoolBudget(input as never);
            expect(Number.isSafeInteger(report.peak)).toBe(true);
            expect(report.total).toBe(report.groups.reduce((sum, group) => sum + group.connections, 0));
          } catch (error) {
            expect(error).toMatchObject({ name: 'MpgkitError' });
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });
});

describe('budget arithmetic (properties)', () => {
  it('total is Σ machines × processes × pool, and each deploy adds what it should', () => {
    fc.assert(
      fc.property(fleetArb, modeArb, planArb, (groups, poolMode, plan) => {
        const expected = groups.reduce((sum, g) => sum + g.machines * g.processesPerMachine * g.poolSize, 0);
        const perMachine = groups.reduce((sum, g) => sum + g.processesPerMachine * g.poolSize, 0);
        const peak = (deploy: DeployStrategy) => checkPoolBudget({ plan, poolMode, groups, deploy }).peak;
        expect(checkPoolBudget({ plan, poolMode, groups }).total).toBe(expected);
        expect(peak('rolling')).toBe(expected);
        expect(peak('immediate')).toBe(expected);
        expect(peak('bluegreen')).toBe(2 * expected);
        expect(peak('canary')).toBe(expected + perMachine);
      }),
    );
  });

  it('the verdict follows the binding limit: over ⇔ peak > limit; ok ⇔ peak ≤ limit − reserve', () => {
    fc.assert(
      fc.property(fleetArb, modeArb, planArb, (groups, poolMode, plan) => {
        const report = checkPoolBudget({ plan, poolMode, groups, deploy: 'bluegreen' });
        expect(report.peakVerdict === 'over').toBe(report.peak > report.limit);
        expect(report.peakVerdict === 'ok').toBe(report.peak <= report.limit - report.reserve);
        if (poolMode === 'transaction') expect(report.peakVerdict).not.toBe('reserve');
        expect(report.headroom).toBe(report.limit - report.peak);
      }),
    );
  });

  it('recommended sizes fit the budget and are maximal (one more in any group would not fit)', () => {
    const shapeArb = fc
      .array(
        fc.record({
          machines: fc.integer({ min: 1, max: 6 }),
          processesPerMachine: fc.integer({ min: 1, max: 3 }),
        }),
        {
          minLength: 1,
          maxLength: 4,
        },
      )
      .map((groups) => groups.map((group, index) => ({ ...group, name: `g${index}` })));
    const deployArb = fc.constantFrom<DeployStrategy>('bluegreen', 'canary', 'rolling');
    fc.assert(
      fc.property(
        shapeArb,
        modeArb,
        planArb,
        deployArb,
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (groups, poolMode, plan, deploy, headroom) => {
          let recommendation: ReturnType<typeof recommendPoolSizes>;
          try {
            recommendation = recommendPoolSizes({ plan, poolMode, deploy, groups, headroom });
          } catch (error) {
            expect(error).toMatchObject({ code: MpgkitErrorCode.PoolBudgetExceeded });
            return;
          }
          const { report, budget } = recommendation;
          expect(report.peak).toBeLessThanOrEqual(budget);
          for (const group of report.groups) {
            const bigger = report.groups.map((g) => ({
              name: g.name,
              machines: g.machines,
              processesPerMachine: g.processesPerMachine,
              poolSize: g.poolSize + (g.name === group.name ? 1 : 0),
            }));
            expect(checkPoolBudget({ plan, poolMode, deploy, groups: bigger }).peak).toBeGreaterThan(budget);
          }
        },
      ),
    );
  });
});

describe('several pools per process', () => {
  const groups = [
    {
      name: 'web',
      machines: 3,
      poolSize: 10,
      pools: {
        raw: { size: 2 },
        reader: { size: 4, user: 'reader' },
        listener: { size: 1, route: 'direct' },
      },
    },
    { name: 'worker', machines: 2, poolSize: 5 },
  ] as const;

  it('counts each pool where it lands: pooled ones in the plan, direct ones against Postgres', () => {
    const report = checkPoolBudget({ plan: 'launch', poolMode: 'transaction', groups, deploy: 'bluegreen' });
    expect(report.groups[0]).toMatchObject({
      connections: 3 * 16,
      directConnections: 3,
      peakDirectConnections: 6,
    });
    expect(report.total).toBe(48 + 10);
    expect(report.peakDirectConnections).toBe(6);
    expect(report.pairs).toEqual([
      { user: undefined, database: undefined, connections: 46, peakConnections: 92, verdict: 'unknown' },
      { user: 'reader', database: undefined, connections: 12, peakConnections: 24, verdict: 'unknown' },
    ]);
    expect(report.explanation).toContain(
      'Normal: (3 × (10 + 2 + 4)) + (2 × 5) = 58 of 500: ok, 442 to spare.',
    );
    expect(report.explanation.join('\n')).toMatch(
      /Group web: each process holds main 10 and raw 2 \(through PgBouncer as app user\/app database\), reader 4 \(through PgBouncer as reader\/app database\), listener 1 \(direct URL, bypasses PgBouncer\)/,
    );
    // MPG does not publish its per-pair pool size: the verdict says what it assumes.
    expect(report.explanation.join('\n')).toMatch(
      /MPG does not publish a pair's pool size: this verdict assumes/,
    );
    expect(formatBudgetReport(report)).toMatch(/web +3 +1 +10\+2\+4 +48 +96 +6/);
  });

  it('judges each user/database pair against a custom poolSizePerPair in session mode', () => {
    const plan = { maxClientConnections: 200, maxDatabaseConnections: 100, poolSizePerPair: 10 };
    const report = checkPoolBudget({ plan, poolMode: 'session', groups });
    // 58 fits the database limit of 100, but the reader pair's 12 clients exceed its pool of 10.
    expect(report.peakVerdict).toBe('ok');
    expect(report.pairs.map((pair) => pair.verdict)).toEqual(['over', 'over']);
    expect(report.verdict).toBe('over');
    const fits = checkPoolBudget({ plan: { ...plan, poolSizePerPair: 46 }, poolMode: 'session', groups });
    expect(fits.verdict).toBe('ok');
    expect(fits.explanation.join('\n')).toMatch(/Each user\/database pair may hold 46 server connections/);
  });

  it('refuses a pool named main, a bad route or size, with the field named', () => {
    const withPools = (pools: unknown) =>
      thrown(() =>
        checkPoolBudget({
          plan: 'basic',
          poolMode: 'session',
          groups: [{ name: 'web', machines: 1, poolSize: 1, pools: pools as never }],
        }),
      );
    expect(withPools({ main: { size: 1 } }).message).toMatch(
      /web\.pools\.main: "main" is the group's own pool/,
    );
    expect(withPools({ l: { size: 1, route: 'replica' } }).message).toMatch(/web\.pools\.l\.route must be/);
    expect(withPools({ r: { size: 0 } }).message).toMatch(/web\.pools\.r\.size/);
    expect(withPools({ r: { size: 1, user: ' ' } }).message).toMatch(
      /web\.pools\.r\.user must be a non-empty name/,
    );
    expect(withPools([1]).message).toMatch(/web\.pools must be an object of named pools/);
  });

  it('Σ over pairs is the pooled total, and direct pools never change the plan verdict (properties)', () => {
    const poolsArb = fc.dictionary(
      fc.constantFrom('a', 'b', 'c'),
      fc.record({
        size: fc.integer({ min: 1, max: 20 }),
        route: fc.constantFrom<'pooled' | 'direct'>('pooled', 'direct'),
        user: fc.option(fc.constantFrom('reader', 'writer'), { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(
        fleetArb,
        fc.array(poolsArb, { maxLength: 5 }),
        modeArb,
        planArb,
        (fleet, pools, poolMode, plan) => {
          const groups = fleet.map((group, index) => ({ ...group, pools: pools[index] ?? {} }));
          const report = checkPoolBudget({ plan, poolMode, groups, deploy: 'canary' });
          expect(report.pairs.reduce((sum, pair) => sum + pair.connections, 0)).toBe(report.total);
          expect(report.pairs.reduce((sum, pair) => sum + pair.peakConnections, 0)).toBe(report.peak);
          const pooledOnly = groups.map((group) => ({
            ...group,
            pools: Object.fromEntries(
              Object.entries(group.pools).filter(([, pool]) => pool.route === 'pooled'),
            ),
          }));
          const without = checkPoolBudget({ plan, poolMode, groups: pooledOnly, deploy: 'canary' });
          expect(without.peakVerdict).toBe(report.peakVerdict);
          expect(report.peakDirectConnections).toBeGreaterThanOrEqual(report.directConnections);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('recommends main pool sizes that leave room for the declared other pools', () => {
    const result = recommendPoolSizes({
      plan: 'basic',
      poolMode: 'session',
      groups: [{ name: 'web', machines: 2, pools: { reader: { size: 5, user: 'reader' } } }],
      headroom: 0,
    });
    // 50 database connections, 2 × 5 for the readers: the main pools share the other 40.
    expect(result.poolSizes).toEqual({ web: 20 });
    expect(result.report.peak).toBe(50);
  });
});

describe('recommendPoolSizes', () => {
  it('fits the seed fleet into basic/session with a bluegreen deploy', () => {
    const result = recommendPoolSizes({
      plan: 'basic',
      poolMode: 'session',
      deploy: 'bluegreen',
      groups: [
        { name: 'web', machines: 3 },
        { name: 'worker', machines: 2 },
      ],
    });
    expect(result.poolSizes).toEqual({ web: 4, worker: 4 });
    expect(result.report.peak).toBe(40);
  });

  it('fails with POOL_BUDGET_EXCEEDED when even pool size 1 is too much', () => {
    expect(() =>
      recommendPoolSizes({ plan: 'basic', poolMode: 'session', groups: [{ name: 'web', machines: 60 }] }),
    ).toThrow(expect.objectContaining({ code: MpgkitErrorCode.PoolBudgetExceeded }));
  });

  it('gives heavier groups a larger share', () => {
    const result = recommendPoolSizes({
      plan: 'launch',
      poolMode: 'session',
      headroom: 0,
      groups: [
        { name: 'web', machines: 5, weight: 3 },
        { name: 'worker', machines: 5, weight: 1 },
      ],
    });
    expect(result.poolSizes.web).toBeGreaterThan(2 * (result.poolSizes.worker ?? 0));
  });
});

describe('property: the budget classes of the trust review (fast-check)', () => {
  const customPlanArb = fc.record({
    maxClientConnections: fc.integer({ min: 1, max: 2_000 }),
    maxDatabaseConnections: fc.integer({ min: 1, max: 2_000 }),
    reservePool: fc.integer({ min: 0, max: 20 }),
  });
  const fleetArb = fc
    .array(
      fc.record({
        name: fc.constantFrom('web', 'worker', 'cron', 'api'),
        machines: fc.integer({ min: 1, max: 60 }),
        processesPerMachine: fc.integer({ min: 1, max: 4 }),
      }),
      { minLength: 1, maxLength: 4 },
    )
    .map((groups) =>
      groups.filter((group, index) => groups.findIndex((other) => other.name === group.name) === index),
    );

  it('every verdict and explanation names real numbers: no NaN, no Infinity, never "over by" a negative', () => {
    fc.assert(
      fc.property(
        customPlanArb,
        modeArb,
        fleetArb,
        fc.integer({ min: 1, max: 40 }),
        (plan, poolMode, groups, poolSize) => {
          const reservePool = Math.min(plan.reservePool, plan.maxDatabaseConnections);
          const report = checkPoolBudget({
            plan: { ...plan, reservePool },
            poolMode,
            groups: groups.map((group) => ({ ...group, poolSize })),
          });
          const text = [...report.explanation, formatBudgetReport(report)].join('\n');
          expect(text).not.toMatch(/NaN|Infinity|over by -|over by 0\b/);
          expect(report.limit).toBeLessThanOrEqual(plan.maxClientConnections);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('recommendPoolSizes: whenever a pool of 1 per process fits, every group gets ≥ 1 and the peak fits; otherwise a typed refusal', () => {
    fc.assert(
      fc.property(planArb, modeArb, fleetArb, (plan, poolMode, groups) => {
        const ones = checkPoolBudget({
          plan,
          poolMode,
          groups: groups.map((group) => ({ ...group, poolSize: 1 })),
        });
        const budget = Math.floor(ones.limit * 0.8);
        if (ones.peak > budget) {
          expect(thrown(() => recommendPoolSizes({ plan, poolMode, groups })).code).toBe(
            MpgkitErrorCode.PoolBudgetExceeded,
          );
          return;
        }
        const recommended = recommendPoolSizes({ plan, poolMode, groups });
        for (const group of groups) expect(recommended.poolSizes[group.name]).toBeGreaterThanOrEqual(1);
        expect(recommended.report.peak).toBeLessThanOrEqual(recommended.budget);
      }),
      { numRuns: 2_000 },
    );
  });
});
