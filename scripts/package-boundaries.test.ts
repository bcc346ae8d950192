import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBoundaryViolations } from './package-boundaries.ts';

describe('package boundaries', () => {
  it('no file of this repository reaches into another package by a relative path', () => {
    expect(findBoundaryViolations(resolve(import.meta.dirname, '..'))).toEqual([]);
  });

  // Negative control: the shapes this repository used to have are found.
  const root = mkdtempSync(join(tmpdir(), 'mpgkit-boundaries-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('package.json', '{}');
  write('vitest.shared.ts', 'export {};');
  write('packages/core/package.json', '{}');
  write('packages/core/src/cli/io.ts', 'export {};');
  write('packages/core/vitest.config.ts', "import { x } from '../../vitest.shared.ts';");
  write('infra/package.json', '{}');
  write(
    'infra/src/demo.ts',
    "import { io } from '../../packages/core/src/cli/io.ts';\nimport { y } from './y.ts';",
  );
  write('bench/package.json', '{}');
  write('bench/src/subjects.ts', "const at = new URL('../../infra/src/demo.ts', import.meta.url);");
  // A template literal with a substitution: `../../examples/${name}/`.
  write(
    'infra/test/examples.test.ts',
    ['const cwd = new URL(`../../examples/$', '{name}/`, import.meta.url);'].join(''),
  );

  // A cluster file names other apps' policy modules by design; the same path elsewhere is still found.
  write('infra/mpgkit.cluster.ts', ["apps: { bench: { policy: '../", "bench/src/subjects.ts' } }"].join(''));
  write('infra/src/cluster.ts', ["apps: { bench: { policy: '../../", "bench/src/subjects.ts' } }"].join(''));

  it('finds imports and URL paths into another package, and allows shared root configs and cluster files', () => {
    expect(findBoundaryViolations(root)).toEqual([
      { file: 'bench/src/subjects.ts', line: 1, path: '../../infra/src/demo.ts', reaches: 'infra' },
      { file: 'infra/src/cluster.ts', line: 1, path: '../../bench/src/subjects.ts', reaches: 'bench' },
      {
        file: 'infra/src/demo.ts',
        line: 1,
        path: '../../packages/core/src/cli/io.ts',
        reaches: 'packages/core',
      },
      { file: 'infra/test/examples.test.ts', line: 1, path: '../../examples/', reaches: '.' },
    ]);
  });
});

// Package READMEs are shown on the registry's page, where a relative link leads nowhere.
it('package READMEs link with absolute URLs only', async () => {
  const { readFileSync, readdirSync } = await import('node:fs');
  const packages = join(resolve(import.meta.dirname, '..'), 'packages');
  const relative = readdirSync(packages).flatMap((name) =>
    [
      ...readFileSync(join(packages, name, 'README.md'), 'utf8').matchAll(/\]\((?!https?:\/\/|#)([^)]+)\)/g),
    ].map((match) => `${name}: ${match[1]}`),
  );
  expect(relative).toEqual([]);
});
