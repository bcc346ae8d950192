import type { UserConfig } from 'vite';

/**
 * Tests run on source: workspace packages resolve through their `@mpgkit/source` export condition,
 * as the load-runner child processes do (`node --conditions=@mpgkit/source`).
 */
export const sourceResolution: Pick<UserConfig, 'resolve' | 'ssr'> = {
  resolve: { conditions: ['@mpgkit/source', 'module', 'node', 'development|production'] },
  ssr: {
    resolve: {
      conditions: ['@mpgkit/source', 'node', 'development|production'],
      externalConditions: ['@mpgkit/source'],
    },
  },
};
