import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Generates the test schema's Prisma 7 client (a few TypeScript files, ~1 s). `prisma generate` wants a
 * schema-engine binary it cannot download offline; any executable satisfies the check
 * (shared/reference/drivers-and-orms.md), so a one-line script that exits 1 stands in for it.
 */
export function generatePrismaClient(): void {
  const packageDir = fileURLToPath(new URL('..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'mpgkit-prisma-'));
  const engine = join(dir, 'no-schema-engine');
  writeFileSync(engine, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  try {
    execFileSync(
      join(packageDir, 'node_modules/.bin/prisma'),
      ['generate', '--schema', 'test/prisma/schema.prisma'],
      {
        cwd: packageDir,
        env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: engine, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
        stdio: 'pipe',
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run directly (the package's `generate` script) or as a vitest global setup.
export default function setup(): void {
  if (!existsSync(fileURLToPath(new URL('./generated/client.ts', import.meta.url)))) generatePrismaClient();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) generatePrismaClient();
