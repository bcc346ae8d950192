import { defineConfig } from 'tsdown';
import { packageBuild } from '../../tsdown.shared.ts';

// Two builds, so the library entry is one file that never loads CLI code (each module a process loads
// costs start time: measured in bench/, startup).
export default defineConfig([
  { ...packageBuild, entry: { index: 'src/index.ts' } },
  { ...packageBuild, entry: { cli: 'src/cli/main.ts' }, clean: false, dts: false },
]);
