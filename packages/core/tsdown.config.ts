import { defineConfig } from 'tsdown';
import { packageBuild } from '../../tsdown.shared.ts';

export default defineConfig({ ...packageBuild, entry: { index: 'src/index.ts', cli: 'src/cli/main.ts' } });
