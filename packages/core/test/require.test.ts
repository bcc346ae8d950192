import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

// Runs against the built dist (the test command builds first), as an installed package would.
it('can be require()d from a CommonJS file, both entries', async () => {
  const fixture = fileURLToPath(new URL('./fixtures/require-core.cjs', import.meta.url));
  // No NODE_OPTIONS: the compat job silences warnings for its own processes, not for an app's.
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [fixture], {
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  expect(JSON.parse(stdout)).toEqual({ prepared: false, total: 40, adapterMax: 10 });
  expect(stderr).not.toContain('ExperimentalWarning');
});
