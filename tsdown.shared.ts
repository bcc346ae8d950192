import type { UserConfig } from 'tsdown';

/** The build every package shares: ESM `.mjs` + `.d.mts` for Node ≥ 22.12 (require(esm) works there). */
export const packageBuild: UserConfig = {
  entry: { index: 'src/index.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node22.12',
  dts: true,
  clean: true,
};
