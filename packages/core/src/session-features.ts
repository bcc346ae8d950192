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

function inspectStatement(tokens: readonly SqlToken[]): SessionFeature | undefined {
  const word = (index: number) => (tokens[index]?.kind === 'word' ? tokens[index]?.value : undefined);
  const first = word(0);
  switch (first) {
    case 'set': {
      const second = word(1);
      if (second === 'local' || second === 'transaction' || second === 'constraints') break;
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
      if (hasSequence(tokens, ['with', 'hold'])) return { feature: 'DECLARE ... WITH HOLD', fix: FIX.hold };
      break;
    case 'create': {
      const head = tokens.slice(1, 5).map((token) => (token.kind === 'word' ? token.value : ''));
      if (head.includes('temp') || head.includes('temporary')) {
        const isTable = head.includes('table');
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
  if (
    (first === 'select' || first === 'with') &&
    (hasSequence(tokens, ['into', 'temp']) || hasSequence(tokens, ['into', 'temporary']))
  ) {
    return { feature: 'SELECT INTO a temporary table', fix: FIX.temp };
  }
  return inspectCalls(tokens);
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
    if (SESSION_LOCKS.has(name)) return { feature: `session advisory lock (${name})`, fix: FIX.advisory };
    if (name === 'set_config') {
      const third = callArgument(tokens, i + 1, 2);
      if (third?.length === 1 && third[0]?.kind === 'word' && third[0].value === 'false') {
        return { feature: 'set_config(..., false)', fix: FIX.set };
      }
    }
  }
  return undefined;
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
