import { ADAPTER_ENTRIES, type AdapterName } from '@mpgkit/core/adapter';
import { describe, expect, it } from 'vitest';

/**
 * The adapter shape every adapter passes: the four entries named in core's ADAPTER_ENTRIES (app client,
 * migration client, migration runner, CLI config) and the builders listed there are functions the adapter
 * exports from the module the table names. Messages (error fixes, `mpgkit env`) name adapter functions
 * only through that table, so this is what keeps them from going stale.
 *
 * @param load - Imports the adapter by the module name in the table (a self-reference), e.g.
 * `() => import('@mpgkit/kysely')`.
 */
export function describeAdapterEntries(adapter: AdapterName, load: () => Promise<object>): void {
  describe(`the adapter shape: ${ADAPTER_ENTRIES[adapter].module}`, () => {
    it('exports every entry and builder the table names, as functions', async () => {
      expect(missingEntries(adapter, await load())).toEqual([]);
    });
  });
}

/**
 * The names {@link ADAPTER_ENTRIES} lists for an adapter that `module` does not export as functions.
 *
 * @example
 * ```ts
 * missingEntries('kysely', await import('@mpgkit/kysely')); // []
 * ```
 */
export function missingEntries(adapter: AdapterName, module: object): string[] {
  const entries = ADAPTER_ENTRIES[adapter];
  const names = [
    entries.appClient,
    entries.migrationClient,
    entries.migrationRunner,
    entries.cliConfig,
    ...entries.builders,
  ];
  return names.filter((name) => typeof (module as Record<string, unknown>)[name] !== 'function');
}
