import { type SqlToken, splitStatements, tokenizeSql } from './sql-tokens.ts';

// Pure analysis: what in a statement cannot work through a transaction pooler, and what to do instead.
// No driver, no wiring: transaction-mode-guard.ts puts this on pg clients.

/** A session-only feature found in SQL, and how to do the same through a transaction pooler. */
export interface SessionFeature {
  /** Short name, e.g. `session SET`, `LISTEN`, `session advisory lock`. */
  readonly feature: string;
  /** What to do instead. */
  readonly fix: string;
}

const FIX = {
  set:
    'Through a transaction pooler a session SET does not stick for you and leaks to the next client of that server ' +
    'connection. Use SET LOCAL inside a transaction, set_config(name, value, true), or ALTER ROLE ... SET for a default.',
  listen:
    'LISTEN needs a session; through a transaction pooler notifications go to a server connection you no longer ' +
    'hold. Listen on the direct URL (createListener).',
  advisory:
    'A session advisory lock stays on a pooled server connection after your transaction (and blocks everyone ' +
    'until that connection closes). Use pg_advisory_xact_lock inside a transaction, or the direct URL.',
  prepare:
    'SQL-level prepared statements live on one server connection. Use parameterized queries ($1, $2), or the direct URL.',
  hold: 'A WITH HOLD cursor outlives the transaction on a server connection you will not get back. Declare the cursor without WITH HOLD inside a transaction, or use the direct URL.',
  temp: 'A temporary table lives as long as the server session, which other clients share. Create it with ON COMMIT DROP and use it within one transaction, or use the direct URL.',
  load: 'LOAD affects one server session. Use session_preload_libraries (ALTER ROLE ... SET) or the direct URL.',
} as const;

const SESSION_LOCKS = new Set([
  'pg_advisory_lock',
  'pg_advisory_lock_shared',
  'pg_try_advisory_lock',
  'pg_try_advisory_lock_shared',
  'pg_advisory_unlock',
  'pg_advisory_unlock_shared',
  'pg_advisory_unlock_all',
]);

/**
 * Finds the first session-only feature in SQL that cannot work through a transaction pooler, or
 * `undefined` when the SQL is safe there. Quotes, dollar quotes, comments and identifiers are honoured,
 * so a string that mentions `LISTEN` is not a LISTEN. Code inside function bodies (`DO $$ ... $$`) is a
 * string to the scanner and is not inspected.
 *
 * @example
 * ```ts
 * findSessionFeature('SET search_path = app'); // { feature: 'session SET', fix: 'Use SET LOCAL ...' }
 * findSessionFeature('SET LOCAL search_path = app'); // undefined
 * ```
 */
export function findSessionFeature(sql: string): SessionFeature | undefined {
  for (const statement of splitStatements(tokenizeSql(sql))) {
    const found = inspectStatement(statement);
    if (found !== undefined) return found;
  }
  return undefined;
}

function inspectStatement(all: readonly SqlToken[]): SessionFeature | undefined {
  // EXPLAIN ANALYZE runs the statement it explains: inspect that statement. Plain EXPLAIN runs nothing.
  const tokens = withoutExplain(all);
  if (tokens === undefined) return undefined;
  const word = (index: number) => (tokens[index]?.kind === 'word' ? tokens[index]?.value : undefined);
  const first = word(0);
  switch (first) {
    case 'set': {
      const second = word(1);
      // SET TRANSACTION and SET CONSTRAINTS are transaction-scoped commands; SET transaction.x = … and
      // SET constraints.x = … set custom variables of those names for the session (PostgreSQL gram.y:
      // generic_set's var_name is `ColId | var_name '.' ColId`, and both words are unreserved keywords).
      const custom = tokens[2]?.kind === 'punct' && tokens[2]?.value === '.';
      if (second === 'local' || ((second === 'transaction' || second === 'constraints') && !custom)) break;
      return { feature: second === 'session' ? 'SET SESSION' : 'session SET', fix: FIX.set };
    }
    case 'reset':
      return { feature: 'RESET', fix: FIX.set };
    case 'listen':
    case 'unlisten':
      return { feature: first.toUpperCase(), fix: FIX.listen };
    case 'prepare':
      if (word(1) === 'transaction') break; // two-phase commit: ends the transaction, holds no session state
      return { feature: 'SQL PREPARE', fix: FIX.prepare };
    case 'execute':
    case 'deallocate':
      return { feature: `SQL ${first.toUpperCase()}`, fix: FIX.prepare };
    case 'load':
      return { feature: 'LOAD', fix: FIX.load };
    case 'declare':
      // DECLARE name [options] CURSOR [WITH | WITHOUT HOLD] FOR query: only the words before FOR decide
      // (a CTE named hold in the query is not WITH HOLD).
      if (hasSequence(tokens.slice(0, firstWordIndex(tokens, 'for')), ['with', 'hold'])) {
        return { feature: 'DECLARE ... WITH HOLD', fix: FIX.hold };
      }
      break;
    case 'update':
      // "UPDATE pg_settings SET setting = ..." is a session SET (PostgreSQL docs, pg_settings).
      if (targetIs(tokens, 1, 'pg_settings')) return { feature: 'UPDATE pg_settings', fix: FIX.set };
      break;
    case 'create': {
      const temporary = createsTemporary(tokens);
      if (temporary !== undefined) {
        const isTable = temporary === 'table';
        if (!isTable || !hasSequence(tokens, ['on', 'commit', 'drop'])) {
          return {
            feature: `temporary ${isTable ? 'table' : 'object'} without ON COMMIT DROP`,
            fix: FIX.temp,
          };
        }
      }
      break;
    }
  }
  if ((first === 'select' || first === 'with') && selectsIntoTemporary(tokens)) {
    return { feature: 'SELECT INTO a temporary table', fix: FIX.temp };
  }
  return inspectCalls(tokens);
}

// EXPLAIN [ANALYZE] [VERBOSE] [(option [value], ...)] statement: the statement when EXPLAIN runs it (ANALYZE,
// as a word or an option not set to false), `undefined` when it only plans it, all tokens when not EXPLAIN.
function withoutExplain(tokens: readonly SqlToken[]): readonly SqlToken[] | undefined {
  if (!isWord(tokens[0], 'explain')) return tokens;
  let i = 1;
  let analyze = false;
  if (tokens[i]?.kind === 'punct' && tokens[i]?.value === '(') {
    const options: SqlToken[] = [];
    for (let depth = 0; i < tokens.length; i++) {
      const token = tokens[i];
      if (token?.kind === 'punct' && token.value === '(') depth++;
      if (token?.kind === 'punct' && token.value === ')' && --depth === 0) {
        i++;
        break;
      }
      if (depth === 1 && token !== undefined && !(token.kind === 'punct' && token.value === '('))
        options.push(token);
    }
    const at = options.findIndex((token) => isWord(token, 'analyze') || isWord(token, 'analyse'));
    // EXPLAIN's boolean options take true/on/1 or false/off/0; without a value they are on.
    analyze = at !== -1 && !['false', 'off', '0'].includes(options[at + 1]?.value.toLowerCase() ?? '');
  }
  while (isWord(tokens[i], 'analyze') || isWord(tokens[i], 'analyse') || isWord(tokens[i], 'verbose')) {
    if (!isWord(tokens[i], 'verbose')) analyze = true;
    i++;
  }
  return analyze ? tokens.slice(i) : undefined;
}

function firstWordIndex(tokens: readonly SqlToken[], value: string): number {
  const index = tokens.findIndex((token) => isWord(token, value));
  return index === -1 ? tokens.length : index;
}

// CREATE [OR REPLACE] [GLOBAL | LOCAL] {TEMP | TEMPORARY} [UNLOGGED|RECURSIVE] kind ..., or an object
// created in pg_temp (CREATE TABLE pg_temp.t, CREATE FUNCTION pg_temp.f): 'table' or another kind.
// A table or column merely named temp (CREATE TABLE temp (...), CREATE TABLE t (temp int)) is not one.
function createsTemporary(tokens: readonly SqlToken[]): string | undefined {
  let i = 1;
  while (['or', 'replace', 'global', 'local'].some((word) => isWord(tokens[i], word))) i++;
  if (isWord(tokens[i], 'temp') || isWord(tokens[i], 'temporary')) {
    i++;
    while (isWord(tokens[i], 'unlogged') || isWord(tokens[i], 'recursive')) i++;
    return tokens[i]?.value ?? 'object';
  }
  // The object's name: the first name after the kind words, skipping IF NOT EXISTS.
  const kind = tokens[i]?.value;
  for (let j = i + 1; j < Math.min(tokens.length, i + 8); j++) {
    const token = tokens[j];
    if (token?.kind !== 'word' && token?.kind !== 'identifier') break;
    if (token.value === 'pg_temp' && tokens[j + 1]?.kind === 'punct' && tokens[j + 1]?.value === '.') {
      return kind === 'table' ? 'table' : (kind ?? 'object');
    }
  }
  return undefined;
}

// SELECT ... INTO [TEMP | TEMPORARY] [TABLE] name: a temporary table, unless "temp" is itself the new
// table's name (SELECT * INTO temp FROM t). INTO pg_temp.name too.
function selectsIntoTemporary(tokens: readonly SqlToken[]): boolean {
  for (let i = 0; i < tokens.length - 1; i++) {
    if (!isWord(tokens[i], 'into')) continue;
    // INSERT INTO temp … and MERGE INTO temp … (after a CTE) name a table called temp.
    if (isWord(tokens[i - 1], 'insert') || isWord(tokens[i - 1], 'merge')) continue;
    const next = tokens[i + 1];
    if (next?.kind === 'word' && next.value === 'pg_temp' && tokens[i + 2]?.value === '.') return true;
    if (!isWord(next, 'temp') && !isWord(next, 'temporary')) continue;
    const after = tokens[i + 2];
    if (isWord(after, 'table')) return true;
    if (after?.kind === 'identifier') return true;
    if (after?.kind === 'word' && !CLAUSE_AFTER_INTO.has(after.value)) return true;
  }
  return false;
}
const CLAUSE_AFTER_INTO = new Set([
  'from',
  'where',
  'group',
  'having',
  'window',
  'order',
  'limit',
  'offset',
  'fetch',
  'for',
  'union',
  'intersect',
  'except',
  'select',
  'values',
  'default',
]);

// The table a statement names at `index`, with or without the pg_catalog schema.
// Quoted names count when exact ("pg_settings" is the same table; the tokenizer keeps a quoted name's case).
function targetIs(tokens: readonly SqlToken[], index: number, table: string): boolean {
  if (isWord(tokens[index], 'only')) index++;
  if (isName(tokens[index], 'pg_catalog') && tokens[index + 1]?.value === '.') index += 2;
  return isName(tokens[index], table);
}

function isName(token: SqlToken | undefined, value: string): boolean {
  return (token?.kind === 'word' || token?.kind === 'identifier') && token.value === value;
}

function isWord(token: SqlToken | undefined, value: string): boolean {
  return token?.kind === 'word' && token.value === value;
}

function inspectCalls(tokens: readonly SqlToken[]): SessionFeature | undefined {
  for (let i = 0; i < tokens.length - 1; i++) {
    const token = tokens[i];
    const open = tokens[i + 1];
    if (
      !token ||
      (token.kind !== 'word' && token.kind !== 'identifier') ||
      open?.kind !== 'punct' ||
      open.value !== '('
    )
      continue;
    const name = token.value; // quoted names are exact, unquoted ones lower-cased by the tokenizer
    // A function of another schema (app.pg_advisory_lock) is the app's own, not PostgreSQL's.
    const qualified = tokens[i - 1]?.kind === 'punct' && tokens[i - 1]?.value === '.';
    if (qualified && !isName(tokens[i - 2], 'pg_catalog')) continue;
    if (SESSION_LOCKS.has(name)) return { feature: `session advisory lock (${name})`, fix: FIX.advisory };
    if (name === 'set_config' && isFalse(callArgument(tokens, i + 1, 2))) {
      return { feature: 'set_config(..., false)', fix: FIX.set };
    }
  }
  return undefined;
}

// is_local given as a definite false: false, 'false', 'f', 'off', 'no', '0' (PostgreSQL's boolean input,
// unique prefixes included), in parentheses or with a ::bool / ::boolean cast. A parameter or an expression
// is not judged: the guard refuses only what it can be sure of.
function isFalse(argument: SqlToken[] | undefined): boolean {
  if (argument === undefined) return false;
  let tokens = argument.filter(
    (token) => !(token.kind === 'punct' && (token.value === '(' || token.value === ')')),
  );
  // CAST(x AS bool[ean]) → x
  if (isWord(tokens[0], 'cast') && isBooleanType(tokens.slice(-1)[0], tokens.at(-2), tokens.at(-3))) {
    tokens = tokens.slice(
      1,
      tokens.findLastIndex((token) => isWord(token, 'as')),
    );
  }
  // x::bool, x::boolean, x::pg_catalog.bool → x
  const cast = tokens.findIndex((token, index) => token.value === ':' && tokens[index + 1]?.value === ':');
  if (cast !== -1 && isBooleanType(tokens.at(-1), tokens.at(-2), tokens.at(-3))) {
    tokens = tokens.slice(0, cast);
  }
  // boolean 'false', bool 'f', pg_catalog.bool 'f': a typed literal.
  if (
    tokens.length >= 2 &&
    tokens.at(-1)?.kind === 'string' &&
    isBooleanType(tokens.at(-2), tokens.at(-3), tokens.at(-4))
  ) {
    tokens = tokens.slice(-1);
  }
  if (tokens.length !== 1) return false;
  const [token] = tokens;
  if (token?.kind === 'word') return token.value === 'false';
  // An integer cast to boolean: 0 is false (int4 → bool, PostgreSQL's boolean cast).
  if (token?.kind === 'number') return cast !== -1 && Number(token.value) === 0;
  if (token?.kind !== 'string') return false;
  const text = token.value.trim().toLowerCase();
  return (
    text === '0' ||
    (text.length > 0 && 'false'.startsWith(text)) ||
    (text.length > 0 && 'no'.startsWith(text)) ||
    (text.length > 1 && 'off'.startsWith(text))
  );
}

// `type` names PostgreSQL's boolean (bool, boolean, or either qualified with pg_catalog), given as its last
// token and the two before it.
function isBooleanType(
  type: SqlToken | undefined,
  dot: SqlToken | undefined,
  schema: SqlToken | undefined,
): boolean {
  if (!isWord(type, 'bool') && !isWord(type, 'boolean')) return false;
  return dot?.value !== '.' || isName(schema, 'pg_catalog');
}

// The tokens of argument `index` of the call whose '(' is at `open`.
function callArgument(tokens: readonly SqlToken[], open: number, index: number): SqlToken[] | undefined {
  let depth = 0;
  let argument = 0;
  const collected: SqlToken[] = [];
  for (let i = open + 1; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token) break;
    if (token.kind === 'punct' && token.value === '(') depth++;
    if (token.kind === 'punct' && token.value === ')') {
      if (depth === 0) return argument === index ? collected : undefined;
      depth--;
    }
    if (token.kind === 'punct' && token.value === ',' && depth === 0) {
      if (argument === index) return collected;
      argument++;
      continue;
    }
    if (argument === index) collected.push(token);
  }
  return undefined;
}

function hasSequence(tokens: readonly SqlToken[], words: readonly string[]): boolean {
  outer: for (let i = 0; i + words.length <= tokens.length; i++) {
    for (const [offset, expected] of words.entries()) {
      const token = tokens[i + offset];
      if (token?.kind !== 'word' || token.value !== expected) continue outer;
    }
    return true;
  }
  return false;
}

/**
 * The guard's verdict on one query as node-postgres receives it (a string, a config object or a
 * submittable), or `undefined` when it may go through the pooler. Named statements count as
 * session-only unless the pool sends them unnamed (`createPgPool` does, in transaction mode).
 *
 * @example
 * ```ts
 * checkPgQuery({ text: 'LISTEN jobs' })?.feature; // 'LISTEN'
 * ```
 */
export function checkPgQuery(query: unknown): SessionFeature | undefined {
  const text = typeof query === 'string' ? query : (query as { text?: unknown } | null)?.text;
  const name = typeof query === 'object' && query !== null ? (query as { name?: unknown }).name : undefined;
  if (typeof name === 'string' && name !== '') {
    return {
      feature: `named prepared statement "${name}"`,
      fix: 'A named statement exists on one server connection only. Send it unnamed (createPgPool does this in transaction mode) or use the direct URL.',
    };
  }
  return typeof text === 'string' ? cachedFind(text) : undefined;
}

// Apps send the same few statements over and over: the verdict is cached by text.
const verdicts = new Map<string, SessionFeature | null>();
function cachedFind(text: string): SessionFeature | undefined {
  const cached = verdicts.get(text);
  if (cached !== undefined) return cached ?? undefined;
  const found = findSessionFeature(text) ?? null;
  if (verdicts.size >= 2000) verdicts.delete(verdicts.keys().next().value as string);
  verdicts.set(text, found);
  return found ?? undefined;
}
