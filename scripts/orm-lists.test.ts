import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

// Every list of ORMs comes from core's ADAPTER_ENTRIES (ORMS, the columns of `mpgkit env`, explain's
// --orm): a list written out by hand forgets the next adapter, as explain's once forgot knex and Sequelize.
// A hand-written list looks like an array literal with three or more of the ORM keys in quotes.
const ORM_KEY = `['"](?:pg|kysely|drizzle|prisma|typeorm|knex|sequelize)['"]`;
const HAND_LIST = new RegExp(String.raw`\[\s*${ORM_KEY}(?:\s*,\s*${ORM_KEY}){2,}`, 'g');

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourcesUnder(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

it('no library source spells a list of ORMs: each comes from ADAPTER_ENTRIES', () => {
  const root = new URL('../packages/', import.meta.url).pathname;
  const lists = readdirSync(root)
    .flatMap((pkg) => {
      try {
        return sourcesUnder(join(root, pkg, 'src'));
      } catch {
        return [];
      }
    })
    .filter((file) => !file.endsWith('adapter-entries.ts'))
    .flatMap((file) => (readFileSync(file, 'utf8').match(HAND_LIST) ?? []).map((list) => `${file}: ${list}`));
  expect(lists).toEqual([]);
});

it('negative control: the pattern finds the list explain once had', () => {
  const old = "const ORMS: readonly Orm[] = ['pg', 'prisma', 'kysely', 'drizzle', 'typeorm'];";
  expect(old.match(HAND_LIST)).toHaveLength(1);
});
