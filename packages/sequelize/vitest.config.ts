import { defineProject } from 'vitest/config';
import { sourceResolution } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceResolution,
  test: {
    name: 'sequelize',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['@mpgkit/test-infra/global-setup'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
