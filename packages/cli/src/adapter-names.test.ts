import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

// What an adapter function name looks like (as in core's adapter-entries test): the CLI takes every one
// from ADAPTER_ENTRIES, whose names each adapter's shape test checks.
const ADAPTER_FUNCTION =
  /\b(?:create(?:Migration)?(?:Kysely|Drizzle|Prisma|DataSource)|runMigrations\w*|migrateToLatest|\w+CtlConfig|drizzle[A-Z]\w*|prisma[A-Z0-9]\w*|typeorm[A-Z]\w*|postgresJs[A-Z]\w*|kysely[A-Z]\w*)\b/g;

it('the CLI spells no adapter function name of its own', () => {
  const dir = new URL('./', import.meta.url);
  const spelled = readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .flatMap((file) => readFileSync(new URL(file, dir), 'utf8').match(ADAPTER_FUNCTION) ?? []);
  expect(spelled).toEqual([]);
});
