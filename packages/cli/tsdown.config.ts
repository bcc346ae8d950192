import { defineConfig } from 'tsdown';
import { packageBuild } from '../../tsdown.shared.ts';

// `main` is the bin; `index` is runCli for programs that drive the CLI in-process (pnpm demo, tests).
export default defineConfig({ ...packageBuild, entry: { index: 'src/index.ts', main: 'src/main.ts' } });
