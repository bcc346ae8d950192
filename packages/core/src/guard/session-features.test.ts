import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPgQuery, findSessionFeature } from './session-features.ts';
import { tokenizeSql } from './sql-tokens.ts';

// A sample of the corpus in test-infra/src/guard-corpus.ts, which runs in full through a real PgBouncer.
const UNSAFE: ReadonlyArray<readonly [string, string]> = [
  ['SET search_path = app', 'session SET'],
  ['RESET ALL', 'RESET'],
  ['LISTEN jobs', 'LISTEN'],
  ['SELECT pg_advisory_lock(42)', 'session advisory lock'],
  ["SELECT set_config('search_path', 'app', false)", 'set_config'],
  ['PREPARE p AS SELECT 1', 'SQL PREPARE'],
  ['DECLARE c CURSOR WITH HOLD FOR SELECT 1', 'WITH HOLD'],
  ['CREATE TEMP TABLE t (id int)', 'temporary table'],
];
const SAFE: readonly string[] = [
  'SELECT 1',
  "SET LOCAL search_path = 'app'",
  "SELECT set_config('search_path', 'app', true)",
  'SELECT pg_advisory_xact_lock(42)',
  "NOTIFY jobs, 'x'",
  'CREATE TEMP TABLE t (id int) ON COMMIT DROP',
  "SELECT 'LISTEN x' AS text",
  'SELECT "set" FROM guard_settings',
];

describe('findSessionFeature', () => {
  it.each(UNSAFE)('%s → %s', (sql, feature) => {
    const found = findSessionFeature(sql);
    expect(found?.feature).toContain(feature);
    expect(found?.fix.length).toBeGreaterThan(20);
  });
  it.each(SAFE)('%s is safe', (sql) => expect(findSessionFeature(sql)).toBeUndefined());
});

describe('checkPgQuery', () => {
  it('reads strings, config objects and submittables', () => {
    expect(checkPgQuery('LISTEN x')?.feature).toBe('LISTEN');
    expect(checkPgQuery({ text: 'RESET ALL', values: [] })?.feature).toBe('RESET');
    expect(checkPgQuery({ text: 'SELECT 1', submit() {} })).toBeUndefined();
  });
  it('flags named statements', () => {
    expect(checkPgQuery({ name: 'q', text: 'SELECT 1' })?.feature).toBe('named prepared statement "q"');
  });
});

// Text the scanner must never read as SQL: inside a string, a dollar quote, or a comment.
const hazard = fc.constantFrom(
  'LISTEN x',
  'SET a = b',
  'RESET ALL',
  'pg_advisory_lock(1)',
  'PREPARE p AS SELECT 1',
  "'",
  '"',
  '$$',
  '*/',
  '/*',
  '--',
  ';',
);
const textArb = fc
  .array(fc.oneof(hazard, fc.string({ maxLength: 8 })), { maxLength: 6 })
  .map((parts) => parts.join(' '));

describe('the scanner (properties)', () => {
  it('never throws, whatever the input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (sql) => void tokenizeSql(sql)));
  });

  it('ignores anything inside a string literal', () => {
    fc.assert(
      fc.property(
        textArb,
        (text) => findSessionFeature(`SELECT '${text.replaceAll("'", "''")}'`) === undefined,
      ),
    );
  });

  it('ignores anything inside an E string with backslash escapes', () => {
    const escaped = (text: string) => text.replaceAll('\\', '\\\\').replaceAll("'", "\\'");
    fc.assert(fc.property(textArb, (text) => findSessionFeature(`SELECT E'${escaped(text)}'`) === undefined));
  });

  it('ignores anything inside a dollar quote', () => {
    fc.assert(
      fc.property(
        textArb.filter((t) => !t.includes('$q$')),
        (text) => findSessionFeature(`SELECT $q$${text}$q$`) === undefined,
      ),
    );
  });

  it('ignores anything in comments', () => {
    fc.assert(
      fc.property(
        textArb.filter((t) => !t.includes('\n')),
        (text) => findSessionFeature(`-- ${text}\nSELECT 1`) === undefined,
      ),
    );
    fc.assert(
      fc.property(
        textArb.filter((t) => !t.includes('*/') && !t.includes('/*')),
        (text) => findSessionFeature(`/* ${text} */ SELECT 1`) === undefined,
      ),
    );
  });

  it('finds an unsafe statement after any number of safe ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...SAFE.filter((s) => !s.includes(';'))), { maxLength: 5 }),
        fc.constantFrom(...UNSAFE),
        (prefix, [unsafe, feature]) => {
          expect(findSessionFeature([...prefix, unsafe].join('\n;\n'))?.feature).toContain(feature);
        },
      ),
    );
  });
});

function withoutCommentMarks(text: string): string {
  const stripped = text.replaceAll('*/', '').replaceAll('/*', '');
  return stripped === text ? text : withoutCommentMarks(stripped);
}

describe('the verdict does not change when text is wrapped around a statement (10,000 cases)', () => {
  const statementArb = fc.constantFrom(
    ...UNSAFE.map(([sql]) => sql),
    ...SAFE,
    "SELECT set_config('a', 'b', 'f')",
    'UPDATE pg_settings SET setting = 1',
    'CREATE TABLE temp (id int)',
    'SELECT 1 INTO TEMP t',
  );
  const noise = fc.string({ unit: fc.constantFrom(...'LISTEN SET ;$\'"-/*\r\n\\abc'), maxLength: 30 });
  const tagArb = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,90}$/);
  // Text that is one inert token to PostgreSQL: a string, an identifier, a comment, a dollar quote.
  const wrapped = fc.oneof(
    noise.map((text) => `'${text.replaceAll("'", "''")}'`),
    noise.map((text) => `"${text.replaceAll('"', '""')}"`),
    // Comments nest in PostgreSQL, so the body may hold neither `/*` nor `*/`, also once others are removed.
    noise.map((text) => `/* ${withoutCommentMarks(text)} */`),
    noise.map((text) => `-- ${text.replace(/[\r\n]/g, '')}\n`),
    fc
      .tuple(tagArb, noise)
      .filter(([tag, text]) => !text.includes(`$${tag}$`))
      .map(([tag, text]) => `$${tag}$${text}$${tag}$`),
  );
  it('a comment before the statement, or a literal selected after it, leaves the verdict as it was', () => {
    fc.assert(
      fc.property(statementArb, wrapped, (statement, inert) => {
        const expected = findSessionFeature(statement)?.feature;
        const comment = inert.startsWith('/*') || inert.startsWith('--');
        const variant = comment ? `${inert} ${statement}` : `${statement}; SELECT ${inert}`;
        expect(findSessionFeature(variant)?.feature).toBe(expected);
      }),
      { numRuns: 10_000 },
    );
  });
});
