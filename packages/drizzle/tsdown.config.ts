import { defineConfig } from 'tsdown';
import { packageBuild } from '../../tsdown.shared.ts';

export default defineConfig({
  ...packageBuild,
  entry: {
    index: 'src/index.ts',
    'node-postgres': 'src/node-postgres.ts',
    'postgres-js': 'src/postgres-js.ts',
  },
});
