import { defineConfig } from 'tsdown';
import { packageBuild } from '../../tsdown.shared.ts';

// Dual, as drizzle-orm itself is packaged (an ESM build with .d.ts and a CommonJS build with .d.cts): a
// CommonJS app's drizzle types come from drizzle-orm's .d.cts, and ours must bind to the same copy, or the
// database we return is not assignable to drizzle's own migrate() there (TS2345, two unrelated copies of
// drizzle-orm's types). The CommonJS build also keeps one drizzle-orm instance at run time in such an app.
export default defineConfig({
  ...packageBuild,
  format: ['esm', 'cjs'],
  entry: {
    index: 'src/index.ts',
    'node-postgres': 'src/node-postgres.ts',
    'postgres-js': 'src/postgres-js.ts',
  },
});
