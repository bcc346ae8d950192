import { checkPoolBudget } from '@mpgkit/core';
import { expect, it } from 'vitest';

// Guards the test wiring itself: workspace packages must resolve to their source, not a stale build.
it('resolves @mpgkit/core to its source', async () => {
  const resolved = import.meta.resolve('@mpgkit/core');
  expect(resolved).toMatch(/packages\/core\/src\/index\.ts$/);
  expect(typeof checkPoolBudget).toBe('function');
});
