import type { UserConfig } from 'tsdown';

/**
 * The build every package shares: ESM `.mjs` + `.d.mts` for Node ≥ 22.13 (require(esm) works there, without a
 * warning).
 * The JavaScript carries no JSDoc: the docs live in the `.d.mts` files editors read, and every kilobyte a
 * process parses at start is time (measured in bench/, startup: the comments were over half of core's JS).
 */
export const packageBuild: UserConfig = {
  entry: { index: 'src/index.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node22.13',
  dts: true,
  clean: true,
  outputOptions: { comments: { jsdoc: false, legal: true, annotation: true } },
};
