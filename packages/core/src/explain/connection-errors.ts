import type { KnownError } from './known-error.ts';
import { runtimeErrors } from './runtime-errors.ts';
import { setupErrors } from './setup-errors.ts';

// The catalogue of connection and pooler errors: data, one entry per error users meet, each with where in
// the life of a query it happens (its phase), which decides whether a retry is safe. explain-error.ts
// matches errors against it.

let catalogue: readonly KnownError[] | undefined;

/**
 * Every error mpgkit explains, most specific first: the first match wins. An entry with a SQLSTATE other
 * than 08P01 matches only errors with that SQLSTATE (a SQLSTATE the server sent wins over message text).
 * Built on first use: an app that never meets an error never pays for it at start (bench/, startup).
 *
 * @example
 * ```ts
 * errorCatalogue().find((entry) => entry.id === 'admin-shutdown')?.phase; // 'in-flight'
 * ```
 */
export function errorCatalogue(): readonly KnownError[] {
  catalogue ??= buildCatalogue();
  return catalogue;
}

function buildCatalogue(): readonly KnownError[] {
  return Object.freeze([...setupErrors(), ...runtimeErrors()]);
}
