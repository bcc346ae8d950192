import { MpgkitError, MpgkitErrorCode } from './errors.ts';

/**
 * `value` when it is a safe whole number ≥ `min`; otherwise an `INVALID_OPTION` error naming `field`.
 * The one whole-number rule for pool sizes, machine counts, plan limits and CLI counts.
 *
 * @param min - The smallest allowed value. @default 1
 * @example
 * ```ts
 * requireWholeNumber('web.machines', 3); // 3
 * requireWholeNumber('reservePool', 0, 0); // 0
 * ```
 */
export function requireWholeNumber(field: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `${field} must be a whole number ≥ ${min}, got ${describe(value)}.`,
      { details: { field } },
    );
  }
  return value;
}

/**
 * `value` when it is a positive, finite number of seconds; otherwise an `INVALID_OPTION` error.
 *
 * @example
 * ```ts
 * requirePositiveSeconds('idleTimeoutSeconds', 300); // 300
 * ```
 */
export function requirePositiveSeconds(field: string, value: unknown): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `${field} must be a positive number of seconds, got ${describe(value)}.`,
      { details: { field } },
    );
  }
  return value;
}

/**
 * `value` when it is one of `allowed`; otherwise an `INVALID_OPTION` error listing them and saying where
 * the right value is found.
 *
 * @example
 * ```ts
 * requireOneOf('Pool mode', 'session', ['session', 'transaction'], 'the Pooler Settings show it');
 * ```
 */
export function requireOneOf<T extends string>(
  what: string,
  value: unknown,
  allowed: readonly T[],
  hint?: string,
): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  const list = allowed.map((item) => `"${item}"`).join(', ');
  throw new MpgkitError(
    MpgkitErrorCode.InvalidOption,
    `${what} ${describe(value)} is not valid. Use one of ${list}${hint === undefined ? '' : ` (${hint})`}.`,
  );
}

/**
 * A value as an error message quotes it: strings quoted and cut, numbers as digits, and NaN and ±Infinity
 * in words (a message never prints NaN or Infinity, which read as mpgkit's own arithmetic gone wrong).
 *
 * @example
 * ```ts
 * describeValue(Number.NaN); // 'a value that is not a number'
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${value.slice(0, 40)}"`;
  if (typeof value === 'number' && Number.isNaN(value)) return 'a value that is not a number';
  if (typeof value === 'number' && !Number.isFinite(value))
    return `an infinite number${value < 0 ? ' (negative)' : ''}`;
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return typeof value;
}

const describe = describeValue;

// Fly process group names: letters, digits, `_`, `-`, `.` (fly.toml [processes] keys), any script. The
// ASCII test comes first: compiling the Unicode one costs ~0.5 ms of a process start (bench/, startup).
const ASCII_GROUP_NAME = /^[A-Za-z0-9_.-]+$/;
let unicodeGroupName: RegExp | undefined;
function anyScriptGroupName(): RegExp {
  unicodeGroupName ??= /^[\p{L}\p{N}_.-]+$/u;
  return unicodeGroupName;
}

/**
 * A process group name, trimmed: the one rule the API and the CLI share, so `'web'` and `'web '` are one
 * group and `wéb` is a name everywhere.
 *
 * @throws {MpgkitError} `INVALID_OPTION` for a non-string, empty or malformed name.
 * @example
 * ```ts
 * requireGroupName(' web '); // 'web'
 * ```
 */
export function requireGroupName(value: unknown): string {
  const name = typeof value === 'string' ? value.trim() : '';
  if (!ASCII_GROUP_NAME.test(name) && !anyScriptGroupName().test(name)) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `Process group name ${describe(value)} is not valid. Use letters, digits, _ - or . (the group names of fly.toml [processes]).`,
      { details: { field: 'group' } },
    );
  }
  return name;
}
