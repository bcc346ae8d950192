import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Core is laid out by concept: one folder per concept, small enough to read as a room (at most 12 source
// files), and no per-folder barrel: the root keeps the two entries. No library file of any package is past
// 450 lines.
const MAX_FILES_PER_FOLDER = 12;
const MAX_LINES = 450;

const packages = new URL('../packages/', import.meta.url).pathname;

/** Library source files (tests excluded) under `dir`, by folder. */
function sourcesByFolder(dir: string, into = new Map<string, string[]>()): Map<string, string[]> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourcesByFolder(path, into);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts'))
      into.set(dir, [...(into.get(dir) ?? []), path]);
  }
  return into;
}

/** The layout rules a tree breaks. */
export function layoutProblems(
  folders: Map<string, string[]>,
  linesOf: (file: string) => number,
  root: string,
  roomRule = true,
): string[] {
  const problems: string[] = [];
  for (const [folder, files] of folders) {
    const where = relative(packages, folder);
    if (roomRule && files.length > MAX_FILES_PER_FOLDER)
      problems.push(`${where}: ${files.length} source files`);
    if (folder !== root && files.some((file) => file.endsWith('/index.ts')))
      problems.push(`${where}: a barrel index.ts`);
    for (const file of files) {
      const lines = linesOf(file);
      if (lines > MAX_LINES) problems.push(`${relative(packages, file)}: ${lines} lines`);
    }
  }
  return problems;
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').length - 1;

describe('source layout', () => {
  it.each(readdirSync(packages))('packages/%s/src follows it', (name) => {
    const src = join(packages, name, 'src');
    expect(layoutProblems(sourcesByFolder(src), lines, src, name === 'core')).toEqual([]);
  });

  it('negative control: a flat room, a long file and a barrel are each found', () => {
    const root = join(packages, 'x/src');
    const flat = Array.from({ length: 13 }, (_, i) => join(root, `f${i}.ts`));
    const folders = new Map([
      [root, flat],
      [join(root, 'policy'), [join(root, 'policy/index.ts')]],
    ]);
    expect(layoutProblems(folders, (file) => (file.endsWith('f0.ts') ? 451 : 10), root)).toEqual([
      'x/src: 13 source files',
      'x/src/f0.ts: 451 lines',
      'x/src/policy: a barrel index.ts',
    ]);
  });
});

// Adapters are parallel by file, not only by export: the same role lives in the same file in every adapter
// package, and the one internal helper every entry builds on has one name. Drizzle's two drivers are an
// entry each (node-postgres.ts, postgres-js.ts), beside the CLI config they share.
const ROLE_FILES = ['clients.ts', 'driver-options.ts', 'migrations.ts', 'cli-config.ts'];
const SINGLE_DRIVER_ADAPTERS = ['kysely', 'prisma', 'typeorm', 'knex', 'sequelize'];

describe('adapters parallel by file', () => {
  it.each(SINGLE_DRIVER_ADAPTERS)(
    'packages/%s/src has one file per role and the one helper, optionsOn',
    (name) => {
      const src = join(packages, name, 'src');
      const files = readdirSync(src);
      expect(ROLE_FILES.filter((file) => !files.includes(file))).toEqual([]);
      expect(readFileSync(join(src, 'driver-options.ts'), 'utf8')).toMatch(
        /\nexport function optionsOn[<(]|\nfunction optionsOn[<(]/,
      );
    },
  );

  it('packages/drizzle/src has its CLI config beside one entry per driver', () => {
    const files = readdirSync(join(packages, 'drizzle', 'src'));
    expect(files).toEqual(expect.arrayContaining(['cli-config.ts', 'node-postgres.ts', 'postgres-js.ts']));
  });
});
