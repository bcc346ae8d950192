import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../test/thrown.ts';
import { MpgkitErrorCode } from '../errors.ts';
import type { DeployStrategy } from '../pooler.ts';
import { checkClusterBudget } from './cluster-budget.ts';
import { formatClusterReport } from './cluster-report-text.ts';
import { checkPoolBudget } from './pool-budget.ts';

const web = { name: 'web', groups: [{ name: 'app', machines: 6, poolSize: 20 }] };
const worker = {
  name: 'worker',
  groups: [{ name: 'app', machines: 4, poolSize: 20 }],
  deploy: 'bluegreen' as const,
  releaseCommand: true,
};

describe('checkClusterBudget', () => {
  it('finds the cluster over although each app fits alone', () => {
    const alone = (app: typeof web) =>
      checkPoolBudget({ plan: 'basic', poolMode: 'transaction', ...app }).verdict;
    expect(alone(web)).toBe('ok');
    expect(alone(worker)).toBe('ok');
    const report = checkClusterBudget({ plan: 'basic', poolMode: 'transaction', apps: [web, worker] });
    expect(report).toMatchObject({ total: 200, peak: 280, peakDuring: 'worker', limit: 200 });
    expect(report.normalVerdict).toBe('ok');
    expect(report.verdict).toBe('over');
    expect(report.explanation).toContain('Normal: web 120 + worker 80 = 200 of 200: ok, 0 to spare.');
    expect(report.explanation.join('\n')).toMatch(
      /Deploys of different apps are assumed not to overlap \(pass --simultaneous-deploys .*\): the highest peak is during worker's bluegreen deploy, 200 \+ 80 = 280 of 200: over by 80/,
    );
    const text = formatClusterReport(report);
    expect(text).toMatch(/^Cluster budget: cluster, plan basic, transaction mode, 2 apps/);
    expect(text).toMatch(/worker +app +bluegreen +80 +160 +- +1/);
    expect(text).toMatch(/peak {4}280 \/ 200 {2}OVER \(during worker's deploy; deploys not simultaneous\)/);
    expect(text).toMatch(/verdict: OVER/);
    // The advice names only what would change something: this cluster is in transaction mode already.
    expect(text).toMatch(
      /verdict: OVER \(smaller pools in the apps over their share, fewer machines, or a larger plan\)/,
    );
    const session = checkClusterBudget({ plan: 'basic', poolMode: 'session', apps: [web, worker] });
    expect(formatClusterReport(session)).toMatch(
      /verdict: OVER \(.*fewer machines, transaction mode, or a larger plan\)/,
    );
  });

  it('adds deploy peaks up only when deploys may overlap', () => {
    const canary = { ...web, deploy: 'canary' as const };
    const apart = checkClusterBudget({ plan: 'launch', poolMode: 'transaction', apps: [canary, worker] });
    const together = checkClusterBudget({
      plan: 'launch',
      poolMode: 'transaction',
      apps: [canary, worker],
      simultaneousDeploys: true,
    });
    expect(apart.peak).toBe(200 + 80);
    expect(together.peak).toBe(200 + 20 + 80);
    expect(together.explanation.join('\n')).toMatch(
      /Deploys may overlap \(simultaneousDeploys\): 200 \+ 20 \(web canary\) \+ 80 \(worker bluegreen\) = 300 of 500/,
    );
  });

  it('checks shares: their sum against the limit, and each app against its own', () => {
    const report = checkClusterBudget({
      plan: 'basic',
      poolMode: 'transaction',
      apps: [
        { ...web, share: 100 },
        { ...worker, deploy: 'rolling', share: 90 },
      ],
    });
    expect(report.peakVerdict).toBe('ok');
    expect(report.apps.map((app) => app.shareVerdict)).toEqual(['over', 'ok']);
    expect(report.verdict).toBe('over');
    expect(report.explanation).toContain("web's peak 120 is over its share 100 by 20.");
    const promised = checkClusterBudget({
      plan: 'basic',
      poolMode: 'transaction',
      apps: [
        { ...web, share: 150 },
        { ...worker, deploy: 'rolling', share: 100 },
      ],
    });
    expect(promised.verdict).toBe('over');
    expect(promised.explanation.join('\n')).toMatch(/web 150 \+ worker 100 = 250 of 200: over by 50/);
  });

  it('counts release commands and direct pools against Postgres, one deploy at a time', () => {
    const listener = {
      name: 'chat',
      groups: [
        { name: 'app', machines: 2, poolSize: 5, pools: { listener: { size: 1, route: 'direct' as const } } },
      ],
      releaseCommand: true,
      directConnections: 1,
    };
    const report = checkClusterBudget({
      plan: 'basic',
      poolMode: 'transaction',
      apps: [listener, worker],
      directConnectionLimit: 4,
    });
    // Always open: chat's 2 listeners + 1 declared. Deploying: + 1 release command (either app's, not both).
    expect(report.directConnections).toBe(3);
    expect(report.peakDirectConnections).toBe(4);
    expect(report.directVerdict).toBe('ok');
    const overlapping = checkClusterBudget({
      plan: 'basic',
      poolMode: 'transaction',
      apps: [listener, worker],
      directConnectionLimit: 4,
      simultaneousDeploys: true,
    });
    expect(overlapping.peakDirectConnections).toBe(5);
    expect(overlapping.verdict).toBe('over');
  });

  it('refuses no apps, an app listed twice, and names the app whose fleet is invalid', () => {
    expect(thrown(() => checkClusterBudget({ plan: 'basic', poolMode: 'session', apps: [] })).code).toBe(
      MpgkitErrorCode.InvalidOption,
    );
    expect(
      thrown(() => checkClusterBudget({ plan: 'basic', poolMode: 'session', apps: [web, web] })).message,
    ).toMatch(/App "web" is listed twice/);
    const broken = { name: 'admin', groups: [{ name: 'app', machines: 0, poolSize: 5 }] };
    expect(
      thrown(() => checkClusterBudget({ plan: 'basic', poolMode: 'session', apps: [broken] })).message,
    ).toMatch(/^App admin: .*app\.machines/);
  });

  it('properties: normal is Σ of the apps, peaks bracket between one deploy and all of them', () => {
    const appArb = fc.record({
      machines: fc.integer({ min: 1, max: 20 }),
      poolSize: fc.integer({ min: 1, max: 30 }),
      deploy: fc.constantFrom<DeployStrategy>('rolling', 'immediate', 'canary', 'bluegreen'),
    });
    fc.assert(
      fc.property(
        fc.array(appArb, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (shapes, simultaneousDeploys) => {
          const apps = shapes.map((shape, index) => ({
            name: `a${index}`,
            deploy: shape.deploy,
            groups: [{ name: 'app', machines: shape.machines, poolSize: shape.poolSize }],
          }));
          const report = checkClusterBudget({
            plan: 'scale',
            poolMode: 'transaction',
            apps,
            simultaneousDeploys,
          });
          const alone = apps.map((app) =>
            checkPoolBudget({ plan: 'scale', poolMode: 'transaction', ...app }),
          );
          const total = alone.reduce((sum, app) => sum + app.total, 0);
          const extras = alone.map((app) => app.peak - app.total);
          expect(report.total).toBe(total);
          expect(report.peak).toBe(
            total + (simultaneousDeploys ? extras.reduce((a, b) => a + b, 0) : Math.max(...extras)),
          );
          expect(report.peak).toBeGreaterThanOrEqual(Math.max(...alone.map((app) => app.peak)));
          expect(report.verdict === 'over').toBe(report.peak > report.limit);
        },
      ),
      { numRuns: 500 },
    );
  });
});
