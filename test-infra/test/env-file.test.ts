import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { envFileText } from '../src/env-file.ts';

// The examples' READMEs load the stack's env file with `set -a; . file; set +a`: a real sh must read back
// every value as written, `&`, quotes, spaces and `$` included.
it('sh reads back every value of the env file as written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpgkit-env-file-'));
  try {
    const file = join(dir, 'stack.env');
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).filter((s) => !s.includes('\0')),
        (value) => {
          const url = `postgresql://u:p@127.0.0.1:5432/db?sslmode=verify-full&sslrootcert=${value}`;
          writeFileSync(file, envFileText({ DATABASE_URL: url, OTHER: value }));
          const out = execFileSync('sh', [
            '-c',
            'set -a; . "$0"; set +a; printf "%s\\n%s" "$DATABASE_URL" "$OTHER"',
            file,
          ]);
          expect(out.toString()).toBe(`${url}\n${value}`);
        },
      ),
      { numRuns: 40 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
