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

describe('property: the classes of the second review (fast-check)', () => {
  const ident = fc.stringMatching(/^[a-z_][a-z0-9_]{0,12}$/).filter((name) => name !== 'pg_catalog');
  const locks = fc.constantFrom('pg_advisory_lock', 'pg_try_advisory_lock', 'pg_advisory_unlock_all');

  it("another schema's function named like PostgreSQL's is the app's own; unqualified or pg_catalog's is refused", () => {
    fc.assert(
      fc.property(ident, locks, fc.nat(), (schema, lock, key) => {
        expect(findSessionFeature(`SELECT ${schema}.${lock}(${key})`)).toBeUndefined();
        expect(findSessionFeature(`SELECT ${lock}(${key})`)?.feature).toMatch(/advisory lock/);
        expect(findSessionFeature(`SELECT pg_catalog.${lock}(${key})`)?.feature).toMatch(/advisory lock/);
      }),
    );
  });

  it('SET of any custom variable (transaction.x and constraints.x included) is refused; SET TRANSACTION and SET CONSTRAINTS are not', () => {
    fc.assert(
      fc.property(fc.oneof(ident, fc.constantFrom('transaction', 'constraints')), ident, (prefix, name) => {
        expect(findSessionFeature(`SET ${prefix}.${name} = 'x'`)?.feature).toBe('session SET');
      }),
    );
    expect(findSessionFeature('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE')).toBeUndefined();
    expect(findSessionFeature('SET CONSTRAINTS ALL DEFERRED')).toBeUndefined();
  });

  it("set_config's is_local: every spelling of false is refused, every spelling of true is not", () => {
    const spelled = (value: fc.Arbitrary<string>) =>
      fc.tuple(value, fc.constantFrom('plain', 'cast', 'CAST', 'typed', 'parens')).map(([text, form]) => {
        if (form === 'cast')
          return `${text}::${text.startsWith("'") || /^\d/.test(text) ? 'boolean' : 'bool'}`;
        if (form === 'CAST') return `CAST(${text} AS boolean)`;
        if (form === 'typed') return text.startsWith("'") ? `pg_catalog.bool ${text}` : text;
        if (form === 'parens') return `(${text})`;
        return text;
      });
    const falsy = fc.constantFrom('false', "'false'", "'f'", "'no'", "'off'", "'0'");
    const truthy = fc.constantFrom('true', "'true'", "'t'", "'yes'", "'on'", "'1'");
    fc.assert(
      fc.property(spelled(falsy), spelled(truthy), (no, yes) => {
        expect(findSessionFeature(`SELECT set_config('search_path', 'app', ${no})`)?.feature).toMatch(
          /set_config/,
        );
        expect(findSessionFeature(`SELECT set_config('search_path', 'app', ${yes})`)).toBeUndefined();
      }),
    );
    expect(findSessionFeature("SELECT set_config('a', 'b', 0::boolean)")?.feature).toMatch(/set_config/);
  });

  it('plain EXPLAIN runs nothing: never refused; EXPLAIN ANALYZE inspects what it runs', () => {
    const unsafe = fc.constantFrom(
      'SELECT pg_advisory_lock(1)',
      "SELECT set_config('a', 'b', false)",
      'SELECT 1 INTO TEMP t',
    );
    fc.assert(
      fc.property(
        unsafe,
        fc.constantFrom('', '(COSTS OFF) ', '(ANALYZE false) ', '(ANALYZE off, VERBOSE) ', 'VERBOSE '),
        (sql, options) => {
          expect(findSessionFeature(`EXPLAIN ${options}${sql}`)).toBeUndefined();
          expect(findSessionFeature(`EXPLAIN ANALYZE ${sql}`)).toBeDefined();
          expect(
            findSessionFeature(`EXPLAIN (ANALYZE${options.includes('VERBOSE') ? ', VERBOSE' : ''}) ${sql}`),
          ).toBeDefined();
        },
      ),
    );
  });

  it('a name that is a keyword elsewhere (temp, temporary, hold) is a name: no false alarm', () => {
    fc.assert(
      fc.property(fc.constantFrom('temp', 'temporary'), ident, (table, cte) => {
        expect(
          findSessionFeature(`WITH ${cte} AS (SELECT 1 AS id) INSERT INTO ${table} SELECT id FROM ${cte}`),
        ).toBeUndefined();
      }),
    );
    expect(
      findSessionFeature('DECLARE c CURSOR FOR WITH hold AS (SELECT 1) SELECT * FROM hold'),
    ).toBeUndefined();
    expect(
      findSessionFeature('DECLARE c CURSOR WITH HOLD FOR WITH hold AS (SELECT 1) SELECT * FROM hold'),
    ).toBeDefined();
  });
});
