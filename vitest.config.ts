import { defineConfig } from 'vitest/config';

// One project per package; each package's own vitest.config.ts says what it runs.
export default defineConfig({
  test: {
    projects: ['packages/*', 'test-infra*', 'scripts'],
    reporters: ['default', './vitest.summary-reporter.ts'],
  },
});
