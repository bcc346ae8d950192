import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFlyScale, readFlyToml } from './fly-fleet.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../test/fixtures/fly/${name}`, import.meta.url), 'utf8');

function thrown(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected a throw');
}

describe('readFlyToml on real fly.toml files (excerpts; each fixture names its repository and commit)', () => {
  it.each([
    ['twilio-rails-example.toml', ['app', 'sidekiq'], 'rolling', true],
    ['folioflex.toml', ['web', 'worker'], 'rolling', false],
    ['go-website.toml', ['app'], 'rolling', false],
    ['companion-memory.toml', ['app'], 'bluegreen', false],
    ['smartforests.toml', ['web'], 'rolling', true],
  ])('%s: groups %j, %s deploy, release command %s', (name, groups, deploy, releaseCommand) => {
    const fly = readFlyToml(fixture(name), name);
    expect(fly).toMatchObject({ groups, deploy, releaseCommand, source: name });
  });
});

const groupName = fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/);
const strategy = fc.constantFrom('rolling', 'immediate', 'canary', 'bluegreen');

describe('readFlyToml', () => {
  it('reads back any set of groups, strategy, max_unavailable and release command', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(groupName, { minLength: 1, maxLength: 6 }),
        strategy,
        fc.option(
          fc.oneof(fc.integer({ min: 1, max: 10 }), fc.double({ min: 0.05, max: 0.95, noNaN: true })),
        ),
        fc.boolean(),
        (groups, deploy, maxUnavailable, release) => {
          const text = [
            'app = "x"',
            '[deploy]',
            `strategy = "${deploy}"`,
            ...(maxUnavailable === null ? [] : [`max_unavailable = ${maxUnavailable}`]),
            ...(release ? ['release_command = "npm run migrate"'] : []),
            '[processes]',
            ...groups.map((group) => `${group} = "node ${group}.js"`),
          ].join('\n');
          expect(readFlyToml(text, 'fly.toml')).toMatchObject({
            groups,
            deploy,
            maxUnavailable: maxUnavailable ?? undefined,
            releaseCommand: release,
          });
        },
      ),
    );
  });

  it('refuses what Fly would refuse, naming the file (and the line, for broken TOML)', () => {
    expect(thrown(() => readFlyToml('app = "x"\n[deploy\n', 'apps/web/fly.toml')).message).toMatch(
      /^apps\/web\/fly\.toml is not valid TOML at line 2/,
    );
    expect(thrown(() => readFlyToml('[deploy]\nstrategy = "yolo"\n', 'fly.toml')).message).toContain(
      'strategy = "yolo" is not one of',
    );
    expect(thrown(() => readFlyToml('processes = "web"\n', 'fly.toml')).code).toBe('INVALID_OPTION');
    expect(thrown(() => readFlyToml('[processes]\n', 'fly.toml')).message).toContain('[processes] is empty');
    expect(thrown(() => readFlyToml('[deploy]\nmax_unavailable = -1\n', 'fly.toml')).message).toContain(
      'max_unavailable',
    );
  });

  it('never throws anything but a typed error on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          readFlyToml(text, 'fly.toml');
        } catch (error) {
          expect((error as { code?: string }).code).toBe('INVALID_OPTION');
        }
      }),
    );
  });
});

describe('readFlyScale', () => {
  it('reads `fly scale show --json` as flyctl prints it (internal/command/scale/show_machines.go)', () => {
    expect(readFlyScale(fixture('scale-show.json'), 'scale.json')).toEqual({ app: 3, sidekiq: 2 });
  });

  it('reads back any counts, and refuses any other shape naming the file', () => {
    fc.assert(
      fc.property(fc.dictionary(groupName, fc.nat(500), { maxKeys: 6 }), (counts) => {
        const text = JSON.stringify(
          Object.entries(counts).map(([Process, Count]) => ({
            Process,
            Count,
            CPUKind: 'shared',
            CPUs: 1,
            Memory: 256,
            Regions: { iad: Count },
          })),
          null,
          4,
        );
        expect(readFlyScale(text, 'scale.json')).toEqual(counts);
      }),
    );
    for (const text of ['{"app":3}', '[{"Process":"app"}]', '[{"Process":"app","Count":-1}]', 'nope']) {
      const error = thrown(() => readFlyScale(text, 'scale.json'));
      expect(error.code).toBe('INVALID_OPTION');
      expect(error.message).toContain('scale.json');
    }
  });
});
