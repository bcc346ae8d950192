/** A lexical token of PostgreSQL SQL, as far as the transaction-mode guard needs to see. */
export interface SqlToken {
  /**
   * `word`: an unquoted identifier or keyword (lower-cased in `value`); `identifier`: a quoted one
   * (exact); `string`: any string constant or dollar-quoted body; `number`; `param` (`$1`); `punct`:
   * one of `( ) , ; .`; `operator`: anything else.
   */
  readonly kind: 'word' | 'identifier' | 'string' | 'number' | 'param' | 'punct' | 'operator';
  readonly value: string;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const TAG_START = /[A-Za-z_\u0080-\uffff]/;
const TAG_PART = /[A-Za-z0-9_\u0080-\uffff]/;

// `$$` or `$tag$` at `start`, of any length (a tag is an identifier without `$`), or undefined.
function dollarTagAt(sql: string, start: number): string | undefined {
  let end = start + 1;
  if (sql[end] !== '$') {
    if (!TAG_START.test(sql[end] ?? '')) return undefined;
    while (end < sql.length && TAG_PART.test(sql[end] ?? '')) end++;
    if (sql[end] !== '$') return undefined;
  }
  return sql.slice(start, end + 1);
}

/**
 * Splits SQL into tokens, skipping comments. Follows PostgreSQL's lexical rules for what matters here:
 * `'...'` with `''`, `E'...'` with backslash escapes, `B'' X'' N'' U&''` prefixes, `"..."` identifiers with
 * `""`, `$tag$...$tag$` dollar quotes (not `$1` parameters), `--` line comments and nested `/* *\/`
 * comments. Unterminated quotes and comments run to the end of the input; it never throws.
 *
 * @example
 * ```ts
 * tokenizeSql("SELECT 'LISTEN x' -- LISTEN y").map((t) => t.kind); // ['word', 'string']
 * ```
 */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i] ?? '';
    const next = sql[i + 1] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && next === '-') {
      // A line comment ends at \n or \r (PostgreSQL scan.l: comment ("--"{non_newline}*), non_newline [^\n\r]).
      let end = i + 2;
      while (end < n && sql[end] !== '\n' && sql[end] !== '\r') end++;
      i = end;
    } else if (c === '/' && next === '*') {
      i = skipBlockComment(sql, i);
    } else if (c === "'") {
      i = readQuoted(sql, i, tokens, false);
    } else if ((c === 'e' || c === 'E') && next === "'") {
      i = readQuoted(sql, i + 1, tokens, true);
    } else if (/[bBxXnN]/.test(c) && next === "'") {
      i = readQuoted(sql, i + 1, tokens, false);
    } else if ((c === 'u' || c === 'U') && next === '&' && (sql[i + 2] === "'" || sql[i + 2] === '"')) {
      i = sql[i + 2] === "'" ? readQuoted(sql, i + 2, tokens, false) : readIdentifier(sql, i + 2, tokens);
    } else if (c === '"') {
      i = readIdentifier(sql, i, tokens);
    } else if (c === '$') {
      const param = /^\$\d+/.exec(sql.slice(i, i + 12));
      const tag = param ? undefined : dollarTagAt(sql, i);
      if (param) {
        tokens.push({ kind: 'param', value: param[0] });
        i += param[0].length;
      } else if (tag !== undefined) {
        const end = sql.indexOf(tag, i + tag.length);
        const stop = end === -1 ? n : end;
        tokens.push({ kind: 'string', value: sql.slice(i + tag.length, stop) });
        i = end === -1 ? n : end + tag.length;
      } else {
        tokens.push({ kind: 'operator', value: c });
        i++;
      }
    } else if (WORD_START.test(c)) {
      let end = i + 1;
      while (end < n && WORD_PART.test(sql[end] ?? '')) end++;
      tokens.push({ kind: 'word', value: sql.slice(i, end).toLowerCase() });
      i = end;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next))) {
      let end = i + 1;
      while (end < n && /[0-9.eE_]/.test(sql[end] ?? '')) end++;
      tokens.push({ kind: 'number', value: sql.slice(i, end) });
      i = end;
    } else if ('(),;.'.includes(c)) {
      tokens.push({ kind: 'punct', value: c });
      i++;
    } else {
      tokens.push({ kind: 'operator', value: c });
      i++;
    }
  }
  return tokens;
}

function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

function readQuoted(sql: string, start: number, tokens: SqlToken[], backslashEscapes: boolean): number {
  let i = start + 1;
  let value = '';
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      value += sql[i + 1] ?? '';
      i += 2;
    } else if (c === "'" && sql[i + 1] === "'") {
      value += "'";
      i += 2;
    } else if (c === "'") {
      i++;
      break;
    } else {
      value += c;
      i++;
    }
  }
  tokens.push({ kind: 'string', value });
  return i;
}

function readIdentifier(sql: string, start: number, tokens: SqlToken[]): number {
  let i = start + 1;
  let value = '';
  while (i < sql.length) {
    if (sql[i] === '"' && sql[i + 1] === '"') {
      value += '"';
      i += 2;
    } else if (sql[i] === '"') {
      i++;
      break;
    } else {
      value += sql[i];
      i++;
    }
  }
  tokens.push({ kind: 'identifier', value });
  return i;
}

/**
 * Splits tokens into statements at top-level semicolons (outside parentheses).
 *
 * @example
 * ```ts
 * splitStatements(tokenizeSql('SELECT 1; LISTEN x')).length; // 2
 * ```
 */
export function splitStatements(tokens: readonly SqlToken[]): SqlToken[][] {
  const statements: SqlToken[][] = [];
  let current: SqlToken[] = [];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === 'punct' && token.value === '(') depth++;
    if (token.kind === 'punct' && token.value === ')') depth = Math.max(0, depth - 1);
    if (token.kind === 'punct' && token.value === ';' && depth === 0) {
      if (current.length > 0) statements.push(current);
      current = [];
    } else {
      current.push(token);
    }
  }
  if (current.length > 0) statements.push(current);
  return statements;
}
