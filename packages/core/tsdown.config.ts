import { defineConfig } from 'tsdown';
import { packageBuild } from '../../tsdown.shared.ts';

// Two entries: the app's (`@mpgkit/core`) and the adapter authors' (`@mpgkit/core/adapter`). Shared code
// goes to a common chunk, so an app that loads both loads it once.
export default defineConfig({ ...packageBuild, entry: { index: 'src/index.ts', adapter: 'src/adapter.ts' } });
