import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ADAPTER_ENTRIES, builderOf } from './adapter-entries.ts';
import { explainError } from './explain/explain-error.ts';

// What an adapter function name looks like, old spellings included.
const ADAPTER_FUNCTION =
  /\b(?:create(?:Migration)?(?:Kysely|Drizzle|Prisma|DataSource)|runMigrations\w*|migrateToLatest|\w+CtlConfig|drizzle[A-Z]\w*|prisma[A-Z0-9]\w*|typeorm[A-Z]\w*|postgresJs[A-Z]\w*|kysely[A-Z]\w*)\b/g;

describe('adapter function names in core', () => {
  it('are spelled only in adapter-entries.ts: every message takes them from ADAPTER_ENTRIES', () => {
    const dir = new URL('./', import.meta.url);
    const spelled = (readdirSync(dir, { recursive: true }) as string[])
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && file !== 'adapter-entries.ts')
      .flatMap((file) => {
        // builderOf('prisma', 'prisma6Urls') checks its name against the table when core loads.
        const text = readFileSync(new URL(file, dir), 'utf8').replace(/builderOf\([^)]*\)/g, '');
        return [...text.matchAll(ADAPTER_FUNCTION)].map((match) => `${file}: ${match[0]}`);
      });
    expect(spelled).toEqual([]);
  });

  it('negative control: the pattern finds the names messages used to hand-write', () => {
    const old = 'use prismaAdapter(policy, PrismaPg), drizzleNodePostgres, migrateToLatest or typeormOptions';
    expect(old.match(ADAPTER_FUNCTION)).toEqual([
      'prismaAdapter',
      'drizzleNodePostgres',
      'migrateToLatest',
      'typeormOptions',
    ]);
  });

  it('messages name the entries of the table', () => {
    const fix = explainError('prepared statement "s0" already exists', 'drizzle')?.fix;
    expect(fix).toContain(ADAPTER_ENTRIES['drizzle-postgres-js'].appClient);
    expect(fix).toContain(ADAPTER_ENTRIES.drizzle.module);
  });

  it('builderOf refuses a builder the table does not list', () => {
    expect(builderOf('prisma', 'prisma6Urls')).toBe('prisma6Urls');
    expect(() => builderOf('prisma', 'prismaClientFactory')).toThrow(/not a builder of @mpgkit\/prisma/);
  });
});
