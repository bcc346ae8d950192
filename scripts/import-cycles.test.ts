import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

// No import cycle anywhere is Biome's suspicious/noImportCycles, type-only imports included (biome.json),
// which `pnpm test` runs over the whole tree. These show the rule is on and able to fail.
const repo = resolve(import.meta.dirname, '..');
const biome = join(repo, 'node_modules/.bin/biome');
const lint = (cwd: string, path: string) =>
  promisify(execFile)(biome, ['lint', '--vcs-enabled=false', '--only=suspicious/noImportCycles', path], {
    cwd,
  });

it('the packages have no import cycle', async () => {
  await expect(lint(repo, 'packages')).resolves.toBeDefined();
});

const dir = mkdtempSync(join(tmpdir(), 'mpgkit-cycles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("negative control: this repository's Biome config refuses a cycle, even through a type-only import", async () => {
  copyFileSync(join(repo, 'biome.json'), join(dir, 'biome.json'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(
    join(dir, 'src/policy.ts'),
    "import { guard } from './guard.ts';\nexport const policy = guard;\n",
  );
  writeFileSync(
    join(dir, 'src/guard.ts'),
    "import type { policy } from './policy.ts';\nexport type Guard = typeof policy;\nexport const guard = 1;\n",
  );
  // Biome prints its diagnostics on stderr and exits 1.
  await expect(lint(dir, 'src')).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringContaining('noImportCycles'),
  });
});
