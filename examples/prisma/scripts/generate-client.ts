// `prisma generate`, also on offline machines: generate needs a schema-engine binary it would download;
// any executable satisfies the check (a script that exits 1), and generate does not run it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!(process.argv.includes('--if-missing') && existsSync(join(root, 'src/generated/client.ts')))) {
  const dir = mkdtempSync(join(tmpdir(), 'prisma-engine-'));
  const standIn = join(dir, 'schema-engine');
  writeFileSync(standIn, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  try {
    execFileSync(join(root, 'node_modules/.bin/prisma'), ['generate'], {
      cwd: root,
      stdio: 'inherit',
      // prisma.config.ts builds the policy, which needs a DATABASE_URL; generate never connects, so a
      // placeholder does when none is set (a real one always wins).
      env: {
        PRISMA_SCHEMA_ENGINE_BINARY: standIn,
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
        DATABASE_URL: 'postgresql://generate:unused@pgbouncer.placeholder.flympg.net/unused',
        ...process.env,
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
