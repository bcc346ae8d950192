import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const app = fileURLToPath(new URL('./fixtures/kit-generate/', import.meta.url));
const kit = join(dirname(createRequire(import.meta.url).resolve('drizzle-kit')), 'bin.cjs');

// The real drizzle-kit, on an app's config that uses drizzleKitConfig, with no database URL in its environment.
it('drizzle-kit generate runs without DATABASE_URL (it never connects) and writes the migration', async () => {
  const out = mkdtempSync(join(tmpdir(), 'mpgkit-kit-'));
  await run(process.execPath, [kit, 'generate', '--config', 'drizzle.config.ts'], {
    cwd: app,
    env: { PATH: process.env.PATH ?? '', KIT_OUT: out },
  });
  const sql = readdirSync(out).filter((file) => file.endsWith('.sql'));
  expect(sql).toHaveLength(1);
  expect(readFileSync(join(out, sql[0] ?? ''), 'utf8')).toContain('CREATE TABLE "orders"');
}, 60_000);
