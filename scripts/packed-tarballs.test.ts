import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What a user gets from the registry: every package packed by pnpm (publishConfig applied), installed
// with npm into a project outside the workspace, then imported, required, type-checked and run from there.
// Runs on the built dist: `pnpm test` builds first.
const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'mpgkit-packed-'));
const packs = join(scratch, 'packs');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Under `pnpm test`, npm_execpath is pnpm's own entry point; otherwise pnpm is on PATH.
function pnpm(args: string[], cwd: string) {
  const entry = process.env.npm_execpath;
  return entry && /\.(c?js|mjs)$/.test(entry)
    ? run(process.execPath, [entry, ...args], { cwd })
    : run('pnpm', args, { cwd });
}
const npm = (args: string[]) => run('npm', [...args, '--no-audit', '--no-fund'], { cwd: scratch });
const node = (args: string[]) => run(process.execPath, args, { cwd: scratch });
const tsc = (args: string[], typescript = 'typescript') =>
  node([`node_modules/${typescript}/bin/tsc`, '--noEmit', '--strict', '--skipLibCheck', ...args]);

const ENTRIES = [
  '@mpgkit/core',
  '@mpgkit/core/adapter',
  '@mpgkit/kysely',
  '@mpgkit/drizzle',
  '@mpgkit/drizzle/node-postgres',
  '@mpgkit/drizzle/postgres-js',
  '@mpgkit/prisma',
  '@mpgkit/typeorm',
  'mpgkit',
];

beforeAll(async () => {
  await pnpm(['-r', '--filter', './packages/*', 'exec', 'pnpm', 'pack', '--pack-destination', packs], repo);
  writeFileSync(join(scratch, 'package.json'), '{ "name": "scratch", "private": true }\n');
  const tarballs = readdirSync(packs).map((file) => join(packs, file));
  // The peers at the versions this repository tests, and TypeScript 5.9 (7 has no node10 resolution).
  await npm([
    'install',
    ...tarballs,
    'pg@8.23.1',
    '@types/pg@8.23.1',
    'kysely@0.29.9',
    'drizzle-orm@0.45.4',
    'postgres@3.4.9',
    'typeorm@1.1.1',
    '@prisma/adapter-pg@7.10.1',
    'typescript@5.9',
    // The lowest TypeScript whose nodenext lets a CommonJS file import an ESM package (5.8, "require(esm)"
    // support), and the one before it, as the negative control.
    'typescript-5.8@npm:typescript@5.8.3',
    'typescript-5.7@npm:typescript@5.7.3',
    '@types/node@24',
  ]);
}, 180_000);

describe('the packed tarballs, installed from outside the workspace', () => {
  it('hold dist, README and LICENSE only, and no development export', async () => {
    for (const tarball of readdirSync(packs)) {
      const { stdout } = await run('tar', ['tzf', join(packs, tarball)]);
      const files = stdout.trim().split('\n');
      expect(files, tarball).toContain('package/LICENSE');
      expect(
        files.filter((file) => !/^package\/(dist\/|LICENSE$|README\.md$|package\.json$)/.test(file)),
      ).toEqual([]);
      const manifest = (await run('tar', ['xzf', join(packs, tarball), '-O', 'package/package.json'])).stdout;
      expect(manifest).not.toContain('@mpgkit/source');
      expect(manifest).not.toContain('workspace:');
    }
  });

  it('every entry imports as ESM and require()s from CommonJS', async () => {
    const esm = ENTRIES.map(
      (entry, i) => `import * as m${i} from '${entry}'; if (!Object.keys(m${i}).length) throw 1;`,
    );
    await node(['--input-type=module', '-e', esm.join('\n')]);
    const cjs = ENTRIES.map(
      (entry) => `if (!Object.keys(require('${entry}')).length) throw new Error('${entry}');`,
    );
    const { stderr } = await node(['-e', cjs.join('\n')]);
    expect(stderr).not.toContain('ExperimentalWarning');
  });

  it('the mpgkit bin runs: --version, and a budget verdict as its exit code', async () => {
    const bin = join(scratch, 'node_modules/.bin/mpgkit');
    expect((await run(bin, ['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const fleet = ['budget', '--plan', 'basic', '--mode', 'session', '--group', 'web=4x10']; // 40 of 50
    expect((await run(bin, fleet)).stdout).toContain('verdict: OK');
    await expect(run(bin, [...fleet, '--deploy', 'bluegreen'])).rejects.toMatchObject({ code: 1 });
  });

  // One file that uses every adapter, type-checked as an ESM file, a CommonJS file and under the classic
  // `module: commonjs` (node10) resolution. node16 with CommonJS cannot import an ESM-only package (TS1479);
  // nodenext can (require(esm)). A CommonJS file gets drizzle-orm's .d.cts types, and the database we return
  // must be assignable to them (measured TS2345 with an ESM-only @mpgkit/drizzle): it is dual, as drizzle-orm is.
  const source = `
import { defineDatabase } from '@mpgkit/core';
import { toPgPoolConfig } from '@mpgkit/core/adapter';
import { createKysely } from '@mpgkit/kysely';
import { createDrizzle } from '@mpgkit/drizzle/node-postgres';
import { drizzleKitConfig } from '@mpgkit/drizzle';
import { typeormOptions } from '@mpgkit/typeorm';
import { prismaConfig } from '@mpgkit/prisma';
import { eq } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { pgTable, integer } from 'drizzle-orm/pg-core';
const accounts = pgTable('accounts', { id: integer('id') });
const policy = defineDatabase({ env: { DATABASE_URL: 'postgresql://u:p@pgbouncer.c.flympg.net/db' } });
export const db = createDrizzle(policy, { schema: { accounts } });
// The app's own drizzle-orm types (ESM or CommonJS, as the file is) must accept the database we return.
export const migrating = () => migrate(db, { migrationsFolder: './drizzle' });
export const query = () => db.select().from(accounts).where(eq(accounts.id, 1));
export const kysely = createKysely<{ t: { id: number } }>(policy);
export const pool: number = toPgPoolConfig(policy).max;
export const typeorm = typeormOptions(policy).url;
export const kit: string = drizzleKitConfig(policy).dbCredentials.host;
export const prisma: string = prismaConfig(policy).datasource.url;
`;
  it.each([
    ['an ESM file under nodenext', 'check.mts', ['--module', 'nodenext', '--moduleResolution', 'nodenext']],
    [
      'a CommonJS file under nodenext',
      'check.cts',
      ['--module', 'nodenext', '--moduleResolution', 'nodenext'],
    ],
    ['an ESM file under node16', 'check.mts', ['--module', 'node16', '--moduleResolution', 'node16']],
    [
      'classic module: commonjs (node10 resolution)',
      'check.ts',
      ['--module', 'commonjs', '--moduleResolution', 'node10', '--esModuleInterop'],
    ],
  ])(
    'type-checks %s',
    async (_, file, flags) => {
      writeFileSync(join(scratch, file), source);
      await expect(tsc([...flags, file])).resolves.toBeDefined();
    },
    30_000, // a whole tsc run over every adapter's types: seconds, more on a loaded machine
  );

  it('the lowest TypeScript for a CommonJS file under nodenext is 5.8; 5.7 fails with TS1479 (negative control)', async () => {
    writeFileSync(join(scratch, 'minimum.cts'), source);
    const nodenext = ['--module', 'nodenext', '--moduleResolution', 'nodenext', 'minimum.cts'];
    await expect(tsc(nodenext, 'typescript-5.8')).resolves.toBeDefined();
    await expect(tsc(nodenext, 'typescript-5.7')).rejects.toMatchObject({
      stdout: expect.stringContaining('TS1479'),
    });
  }, 60_000);
});

// A README's install line as a new user runs it: a fresh npm project, the registry's newest peers, no flags.
// npm counts optional peers when it resolves (npm/cli#8416): drizzle-orm's optional `postgres` peer pulls the
// newest postgres.js into the set, and a range of ours that excludes it fails the whole install with ERESOLVE.
describe("the Drizzle README's install line, in a fresh project, with npm 11, npm 10 and pnpm", () => {
  const installLine = () => {
    const line = readFileSync(join(repo, 'packages/drizzle/README.md'), 'utf8')
      .split('\n')
      .find((text) => text.startsWith('pnpm add '));
    return (line ?? '').replace(/#.*$/, '').trim().split(/\s+/).slice(2);
  };
  const tarballOf = (name: string) => {
    const file = readdirSync(packs).find((f) => f.startsWith(`${name.replace('@', '').replace('/', '-')}-`));
    return join(packs, file ?? name);
  };
  // The installers a new user has: the machine's npm (11), npm 10 (Node 22's), and pnpm, outside any workspace.
  type Installer = 'npm' | 'npm@10' | 'pnpm';
  async function installIn(
    dir: string,
    names: string[],
    drizzleTarball = tarballOf('@mpgkit/drizzle'),
    installer: Installer = 'npm',
  ) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{ "name": "fresh", "private": true }\n');
    const args = names.map((name) =>
      name === '@mpgkit/drizzle' ? drizzleTarball : name.startsWith('@mpgkit/') ? tarballOf(name) : name,
    );
    if (installer === 'pnpm') {
      // Unpublished, @mpgkit/drizzle's own dependency on @mpgkit/core must come from its tarball too: npm takes
      // it from the command line, pnpm from an override (the registry has no such version yet).
      writeFileSync(
        join(dir, 'pnpm-workspace.yaml'),
        `overrides:\n  "@mpgkit/core": "file:${tarballOf('@mpgkit/core')}"\n`,
      );
      return pnpm(['add', ...args], dir);
    }
    const npmArgs = ['install', ...args, '--no-audit', '--no-fund'];
    return installer === 'npm'
      ? run('npm', npmArgs, { cwd: dir })
      : run('npx', ['--yes', 'npm@10', ...npmArgs], { cwd: dir });
  }
  const npmInstallIn = (dir: string, names: string[], drizzleTarball?: string) =>
    installIn(dir, names, drizzleTarball, 'npm');

  it('installs and imports; negative control: the peer range postgres ^3.4.9 alone fails with ERESOLVE', async () => {
    const names = installLine();
    expect(names).toEqual(expect.arrayContaining(['@mpgkit/drizzle', '@mpgkit/core', 'drizzle-orm']));
    const fresh = join(scratch, 'fresh-drizzle');
    await npmInstallIn(fresh, names);
    await run(process.execPath, ['--input-type=module', '-e', "import('@mpgkit/drizzle/node-postgres')"], {
      cwd: fresh,
    });
    // The same tarball with the range this package had before (only 3.x of postgres.js).
    const old = join(scratch, 'drizzle-old-range');
    mkdirSync(old, { recursive: true });
    await run('tar', ['xzf', tarballOf('@mpgkit/drizzle'), '-C', old]);
    const manifest = join(old, 'package/package.json');
    const json = JSON.parse(readFileSync(manifest, 'utf8'));
    json.peerDependencies.postgres = '^3.4.9';
    writeFileSync(manifest, JSON.stringify(json, null, 2));
    await run('tar', ['czf', join(old, 'old.tgz'), '-C', old, 'package']);
    await expect(
      npmInstallIn(join(scratch, 'fresh-drizzle-old'), names, join(old, 'old.tgz')),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('ERESOLVE'),
    });
  }, 180_000);

  it.each(['npm@10', 'pnpm'] as const)(
    'installs with %s too, and imports',
    async (installer) => {
      const fresh = join(scratch, `fresh-drizzle-${installer.replace('@', '')}`);
      await installIn(fresh, installLine(), undefined, installer);
      await run(process.execPath, ['--input-type=module', '-e', "import('@mpgkit/drizzle/node-postgres')"], {
        cwd: fresh,
      });
    },
    180_000,
  );
});
