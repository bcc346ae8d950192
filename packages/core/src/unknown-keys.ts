import { MpgkitError, MpgkitErrorCode } from './errors.ts';
import { redact } from './redact.ts';

/**
 * Every key an options type has, as an object whose keys are checked by TypeScript
 * (`satisfies Record<keyof Options, true>`): a new option that is not added here does not compile.
 */
export type KnownKeys<T> = Readonly<Record<keyof T, true>>;

/**
 * Refuses an options object with a key its type does not have: a typo such as `poolmode` would otherwise be
 * ignored, and the default silently used. The error names the key and the closest valid one.
 *
 * @param what - the call the options belong to, as the message names it: `'defineDatabase'`.
 * @throws {MpgkitError} `INVALID_OPTION`, with `details.field` the unknown key.
 * @example
 * ```ts
 * rejectUnknownKeys('createListener', options, { channels: true, onNotification: true });
 * ```
 */
export function rejectUnknownKeys(
  what: string,
  options: unknown,
  known: Readonly<Record<string, true>>,
): void {
  if (typeof options !== 'object' || options === null) return;
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(known, key)) continue;
    const shown = printableKey(key);
    const closest = closestName(key, Object.keys(known));
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `${what} has no option "${shown}".${closest === undefined ? '' : ` Did you mean "${closest}"?`} ` +
        `Its options are ${Object.keys(known).join(', ')}.`,
      { details: { field: shown, ...(closest === undefined ? {} : { closest }) } },
    );
  }
}

/**
 * The candidate closest to `name` (case ignored, then by edit distance with transpositions), when it is
 * close enough to be a typo of it: at most a third of the name's length in edits, and at least one; or else
 * the shortest candidate that `name` (4 characters or more) begins (`drainWindow` → `drainWindowSeconds`).
 *
 * @example
 * ```ts
 * closestName('poolmode', ['poolMode', 'poolSize']); // 'poolMode'
 * closestName('xyz', ['poolMode']); // undefined
 * ```
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined || lower.length < 4) return best;
  const extended = candidates.filter((candidate) => candidate.toLowerCase().startsWith(lower));
  return extended.sort((a, b) => a.length - b.length)[0];
}

// Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Math.abs(a.length - b.length);
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (before[j - 2] ?? 0) + 1);
      }
      current.push(value);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

// A key is the caller's text: shown short, on one line, and never with a URL's password in it.
function printableKey(key: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const oneLine = redact(key).replace(/[\u0000-\u001f\u007f]/g, ' ');
  return oneLine.length > 40 ? `${oneLine.slice(0, 40)}…` : oneLine;
}
