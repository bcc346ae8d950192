import { isMpgkitError, MpgkitError, MpgkitErrorCode } from '@mpgkit/core';
import { redact } from '@mpgkit/core/adapter';

/**
 * Loads an app's own module (a policy, a cluster file) the way the ORMs' CLIs load their config files: with
 * jiti, as Prisma's `prisma.config.ts` (through c12) and kysely-ctl do. A bare `import()` fails on what apps
 * ordinarily write: TypeScript on Node < 22.18 (type stripping unflagged only from 22.18 and 23.6), a `.ts`
 * file in a `"type": "commonjs"` package, siblings imported as `./fleet` or `./fleet.js` (Node's ESM resolver
 * adds no extension and maps no `.js` to `.ts`), enums (not erasable), and `tsconfig.json` path aliases. jiti
 * transpiles each file (TypeScript, ESM or CommonJS) and resolves CommonJS-style, with `tsconfigPaths`
 * (jiti ≥ 2.7, lib/types.d.ts: "auto-discover tsconfig.json by walking up from the jiti instance's parent
 * path"). It is imported only here, when a module is loaded, so no other command pays for it.
 *
 * @param path - The module's absolute path.
 * @param shown - The path as the user gave it, for messages.
 * @param kind - What the module holds, for messages.
 * @throws {MpgkitError} The module's own MpgkitError (a fleet over budget) prefixed with `shown`; otherwise
 *   `INVALID_OPTION` naming what could not be loaded (the missing import, or the module's own error).
 * @example
 * ```ts
 * const module = await loadUserModule('/app/src/db-policy.ts', 'src/db-policy.ts', 'policy');
 * ```
 */
export async function loadUserModule(
  path: string,
  shown: string,
  kind: 'policy' | 'cluster',
): Promise<Record<string, unknown>> {
  const { createJiti } = await import('jiti');
  const jiti = createJiti(path, { tsconfigPaths: true, moduleCache: false, fsCache: false });
  try {
    return (await jiti.import(path)) as Record<string, unknown>;
  } catch (error) {
    // The module's own checks (a fleet over budget, an unknown plan) throw while it loads: report them as they
    // are, not as a loading failure.
    if (isMpgkitError(error)) {
      throw new MpgkitError(error.code, `${shown}: ${error.message}`, { cause: error });
    }
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `Cannot load the ${kind} module ${shown}: ${whyNotLoaded(error, path)}`,
    );
  }
}

/** What a loading error says, in one sentence that says what to do; never a stack, never a secret. */
function whyNotLoaded(error: unknown, path: string): string {
  const message = String((error as Error)?.message ?? error);
  const code = (error as { code?: string }).code;
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
    // Node and jiti say "Cannot find module '<request>'" (or "package") and, for a nested miss, "Require
    // stack:" / "imported from" with the importing file.
    const missing = /Cannot find (?:module|package) '([^']+)'/.exec(message)?.[1];
    if (missing === undefined || missing === path) return 'it was not found. Check its path.';
    const from = /(?:Require stack:\s*-\s*|imported from\s+)(\S+)/.exec(message)?.[1];
    const importer = from === undefined || from === path ? '' : ` (imported by ${from})`;
    return `it imports ${redact(missing)}, which was not found${importer}. Check that import's path, or install the package.`;
  }
  const firstLine = message.split('\n')[0] ?? message;
  return `${redact(firstLine)}. Fix the module so that it loads (it is loaded as your app would load it).`;
}
