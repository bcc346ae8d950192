import { defineProject } from 'vitest/config';
import { sourceResolution } from '../vitest.shared.ts';

export default defineProject({
  ...sourceResolution,
  test: {
    name: 'test-infra',
    include: ['test/**/*.test.ts'],
    globalSetup: ['./src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
